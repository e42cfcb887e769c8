package io.citus.pgvector.cli;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

@Command(name = "build", mixinStandardHelpOptions = true, versionProvider = VersionInfo.class,
        description = "The whole job: generate the chart folder, lint it strictly, then package it.",
        footerHeading = "%n", footer = ExitCode.HELP)
final class BuildCommand implements Callable<Integer> {

    @Mixin
    ValuesOptions values;

    @Mixin
    ChartOption chart;

    @Mixin
    DestinationOption destination;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        GenerateCommand.generate(values, chart.chart, out);
        int lint = LintCommand.lint(chart.chart, out, spec.commandLine().getErr());
        if (lint != ExitCode.OK) {
            return lint;
        }
        out.printf("packaged %s%n", PackageCommand.packageChart(chart.chart, destination.destination));
        return ExitCode.OK;
    }
}
