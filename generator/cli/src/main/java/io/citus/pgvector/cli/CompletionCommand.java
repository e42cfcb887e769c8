package io.citus.pgvector.cli;

import java.util.concurrent.Callable;
import picocli.AutoComplete;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

@Command(
        name = "completion",
        description = {
            "Print the shell completion script of citus-pgvector (bash, and zsh through bashcompinit), made by picocli"
                    + " from the commands' own options."
        },
        footerHeading = "%n",
        footer = {CompletionCommand.EXAMPLES, ExitCode.HELP})
final class CompletionCommand implements Callable<Integer> {

    static final String EXAMPLES = """
            Examples:
              source <(citus-pgvector completion)
              mkdir -p ~/.local/share/bash-completion/completions
              citus-pgvector completion \\
                > ~/.local/share/bash-completion/completions/citus-pgvector
              # zsh, in ~/.zshrc:
              autoload -U +X compinit && compinit
              autoload -U +X bashcompinit && bashcompinit
              source <(citus-pgvector completion)
            """;

    @Mixin
    HelpOptions help;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine()
                .getOut()
                .print(AutoComplete.bash(spec.root().name(), spec.root().commandLine()));
        return ExitCode.OK;
    }
}
