package io.twinstream.infra.stack.cli;

import java.io.PrintStream;

/** Lets tests in other packages run {@code infra/bin/stack} commands in this JVM. */
public final class StackMainAccess {

    private StackMainAccess() {}

    public static int run(String[] args, PrintStream out) throws Exception {
        return StackMain.run(args, out, out);
    }
}
