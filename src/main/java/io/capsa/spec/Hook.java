package io.capsa.spec;

import java.util.List;

/** One hook: an absolute path, argv (args[0] included), env, optional timeout in seconds (&gt; 0). */
public record Hook(String path, List<String> args, List<String> env, Integer timeout) {
}
