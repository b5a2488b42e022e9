package io.capsa.cgroup;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The host's huge page sizes as the hugetlb controller names them ("2MB", "1GB"). */
public final class HugePageSizes {
    private HugePageSizes() {
    }

    public static List<String> host() {
        List<String> out = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(Path.of("/sys/kernel/mm/hugepages"), "hugepages-*kB")) {
            for (Path p : ds) {
                String n = p.getFileName().toString();
                out.add(name(Long.parseLong(n.substring("hugepages-".length(), n.length() - 2)) * 1024));
            }
        } catch (IOException | NumberFormatException e) {
            // no huge pages
        }
        out.sort(null);
        return out;
    }

    /** 2097152 becomes "2MB", 1073741824 "1GB" (the kernel's hugetlb file names). */
    public static String name(long bytes) {
        String[] units = {"B", "KB", "MB", "GB", "TB", "PB"};
        int u = 0;
        while (bytes >= 1024 && bytes % 1024 == 0 && u < units.length - 1) {
            bytes /= 1024;
            u++;
        }
        return bytes + units[u];
    }
}
