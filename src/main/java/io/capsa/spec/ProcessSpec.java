package io.capsa.spec;

import java.util.List;

/** The {@code process} object of config.json (also the process.json given to {@code exec --process}). */
public record ProcessSpec(
        Boolean terminal,
        ConsoleSize consoleSize,
        User user,
        List<String> args,
        String commandLine,
        List<String> env,
        String cwd,
        Capabilities capabilities,
        List<Rlimit> rlimits,
        Boolean noNewPrivileges,
        String apparmorProfile,
        Integer oomScoreAdj,
        Scheduler scheduler,
        String selinuxLabel,
        IOPriority ioPriority,
        ExecCpuAffinity execCPUAffinity) {
}
