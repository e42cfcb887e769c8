package io.citus.pgvector.cli;

import java.io.PrintWriter;
import java.nio.charset.Charset;

/** Entry point of the {@code citus-pgvector} command. */
public final class Main {

    private Main() {}

    public static void main(String[] args) {
        Charset charset = Charset.defaultCharset();
        System.exit(
                Cli.run(new PrintWriter(System.out, true, charset), new PrintWriter(System.err, true, charset), args));
    }
}
