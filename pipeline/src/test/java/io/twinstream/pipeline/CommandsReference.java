package io.twinstream.pipeline;

import picocli.CommandLine;

/** docs/commands.md, written from the command tree: each command's help as {@code --help} prints it. */
final class CommandsReference {

    private CommandsReference() {}

    static String render(CommandLine twinstream) {
        StringBuilder page = new StringBuilder()
                .append("# Commands\n\n")
                .append(
                        "Every command of the project is a subcommand of `infra/bin/twinstream` (which builds what it\n")
                .append("needs first). The components' own jars run the same commands alone: `java -jar\n")
                .append(
                        "ingest/target/twinstream-ingest-*-cli.jar` is `twinstream ingest`, the job jar under `flink run`\n")
                .append(
                        "is `twinstream jobs`, `infra/bin/simulator` is `run`, `expect` and `hash`, `infra/bin/stack` is\n")
                .append(
                        "`twinstream stack`; `infra/bin/demo` and `infra/bin/audit` are `twinstream demo` and `audit`.\n\n")
                .append(
                        "Every command takes `--help` and `--version`, and an option's value as `--x=y` or `--x y`. A\n")
                .append("bad argument is refused in one line that names the command and the argument. Exit status:\n")
                .append("0 done, 1 failed, 2 bad arguments or configuration. Durations are written `250ms`, `10s`,\n")
                .append(
                        "`1.5m`, `2h`, `1d`. Configuration keys and environment variables: [configuration.md](configuration.md).\n\n")
                .append("This page is each command's `--help`, checked against the code by `TwinstreamMainTest`.\n");
        append(page, twinstream);
        return page.toString();
    }

    private static void append(StringBuilder page, CommandLine command) {
        page.append("\n## `")
                .append(command.getCommandSpec().qualifiedName())
                .append("`\n\n```text\n")
                .append(command.getUsageMessage().stripTrailing())
                .append("\n```\n");
        command.getSubcommands().values().forEach(sub -> append(page, sub));
    }
}
