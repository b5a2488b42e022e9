package io.capsa.cgroup.v2;

import io.capsa.cgroup.CgroupException;
import io.capsa.cgroup.CgroupFiles;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;

/**
 * {@code linux.resources.unified}: file name to value, written last (so it overrides the converted
 * fields), line by line as runc does. The key must be a plain "controller.parameter" file name.
 */
final class UnifiedV2 {
    private UnifiedV2() {
    }

    static void apply(Path dir, Map<String, String> unified, Set<String> controllers) {
        for (Map.Entry<String, String> e : unified.entrySet()) {
            String k = e.getKey();
            String field = "linux.resources.unified[\"" + k + "\"]";
            if (k.contains("/") || k.startsWith(".") || k.isEmpty()) {
                throw new CgroupException(field + ": must be a file name (no slashes)");
            }
            int dot = k.indexOf('.');
            if (dot <= 0) {
                throw new CgroupException(field + ": must be of the form CONTROLLER.PARAMETER");
            }
            String c = k.substring(0, dot);
            Path file = dir.resolve(k);
            if (!Files.exists(file)) {
                if (!c.equals("cgroup") && !controllers.contains(c)) {
                    throw new CgroupException(field + ": can't be set: controller \"" + c + "\" is not available in "
                            + dir.resolve("cgroup.controllers"));
                }
                throw new CgroupException(field + ": " + file + " does not exist");
            }
            String v = e.getValue() == null ? "" : e.getValue();
            for (String line : v.split("\n")) {
                CgroupFiles.write(field, file, line);
            }
        }
    }
}
