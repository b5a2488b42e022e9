package io.capsa.spec;

import java.util.List;

/** {@code linux.personality}: domain LINUX or LINUX32. */
public record LinuxPersonality(String domain, List<String> flags) {
}
