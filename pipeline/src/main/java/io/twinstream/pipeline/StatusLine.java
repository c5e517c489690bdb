package io.twinstream.pipeline;

import java.io.PrintStream;

/**
 * What the demo prints: lines that stay, and one status line that is redrawn in place on a
 * terminal (carriage return, erase to the end of the line) and printed as a line of its own
 * everywhere else (a pipe, a file, a test), so a log of the run still shows its progress.
 * Thread-safe: the publisher's progress and Ctrl-C print from different threads.
 */
final class StatusLine {

    private final PrintStream out;
    private final boolean inPlace;
    private final int width;
    private boolean statusShown;

    /**
     * @param inPlace redraw the status line (true on a terminal)
     * @param width   columns of the terminal; a longer status line is cut (a wrapped line cannot be redrawn)
     */
    StatusLine(PrintStream out, boolean inPlace, int width) {
        this.out = out;
        this.inPlace = inPlace;
        this.width = Math.max(40, width);
    }

    /**
     * On this process's terminal, when it has one: the width from {@code COLUMNS} (the launcher
     * exports it), else 120.
     */
    static StatusLine forTerminal(PrintStream out) {
        boolean terminal = System.console() != null && !"dumb".equals(System.getenv("TERM"));
        int width = 120;
        try {
            width = Integer.parseInt(
                    System.getenv().getOrDefault("COLUMNS", "120").trim());
        } catch (NumberFormatException e) {
            // keep 120
        }
        return new StatusLine(out, terminal, width);
    }

    /** A line that stays (ends the status line first, if one is shown). */
    synchronized void println(String line) {
        endStatus();
        out.println(line);
    }

    /** Replaces the status line (or prints it as a line where nothing can be redrawn). */
    synchronized void status(String line) {
        if (!inPlace) {
            out.println(line);
            return;
        }
        String shown = line.length() >= width ? line.substring(0, width - 2) + "…" : line;
        out.print("\r" + shown + "\u001b[K");
        out.flush();
        statusShown = true;
    }

    /** Leaves the last status line on screen and moves below it. */
    synchronized void endStatus() {
        if (statusShown) {
            out.println();
            statusShown = false;
        }
    }

    PrintStream stream() {
        return out;
    }
}
