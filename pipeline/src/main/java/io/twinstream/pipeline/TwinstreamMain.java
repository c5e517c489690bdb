package io.twinstream.pipeline;

import io.twinstream.infra.stack.cli.StackMain;
import io.twinstream.ingest.IngestMain;
import io.twinstream.jobs.StreamJobsMain;
import io.twinstream.model.cli.CommandLines;
import io.twinstream.model.cli.TwinstreamVersion;
import io.twinstream.pipeline.audit.AuditMain;
import io.twinstream.simulator.SimulatorMain;
import java.io.PrintStream;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code twinstream}: every command of the project under one name ({@code infra/bin/twinstream}). Each
 * subcommand is the component's own command, the one its jar runs alone (the bridge's, the job jar's,
 * the simulator's, the stack's), so an option is declared once and means the same wherever it is
 * given.
 */
@Command(
        name = "twinstream",
        mixinStandardHelpOptions = true,
        versionProvider = TwinstreamVersion.class,
        description = "A telemetry pipeline for smart-city and industrial sensors: MQTT → Kafka → Flink → InfluxDB.",
        footer = {
            "Each command has its own --help. Exit status: 0 done, 1 failed (a service refused, the audit found"
                    + " differences), 2 bad arguments or configuration."
        })
public final class TwinstreamMain {

    private TwinstreamMain() {}

    public static void main(String[] args) {
        System.exit(run(args, System.getenv(), System.out, System.err));
    }

    static int run(String[] args, Map<String, String> environment, PrintStream out, PrintStream err) {
        return CommandLines.execute(commandLine(environment, out), out, err, args);
    }

    /** The command tree; {@code out} is the demo's terminal. */
    static CommandLine commandLine(Map<String, String> environment, PrintStream out) {
        CommandLine twinstream = new CommandLine(new TwinstreamMain());
        add(twinstream, "demo", new CommandLine(new DemoMain(out, ended -> {})));
        add(twinstream, "simulate", new CommandLine(new SimulatorMain.Run()));
        add(twinstream, "expect", new CommandLine(new SimulatorMain.Expect()));
        add(twinstream, "hash", new CommandLine(new SimulatorMain.Hash()));
        add(twinstream, "ingest", new CommandLine(new IngestMain()));
        add(twinstream, "jobs", StreamJobsMain.commandLine(environment));
        add(twinstream, "rules", new CommandLine(new StreamJobsMain.Rules(environment)));
        add(twinstream, "audit", new CommandLine(new AuditMain(environment)));
        add(twinstream, "stack", new CommandLine(new StackMain()));
        add(
                twinstream,
                "topics",
                new CommandLine(new StackMain()).getSubcommands().get("topics"));
        return CommandLines.configured(twinstream);
    }

    /** Under the launcher's name for it, which its messages and help then use ("twinstream simulate"). */
    private static void add(CommandLine twinstream, String name, CommandLine command) {
        command.getCommandSpec().name(name);
        twinstream.addSubcommand(name, command);
    }
}
