package io.capsa.front;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Docker's user resolution for {@code -u} and the image's User: {@code user}, {@code user:group},
 * {@code uid}, {@code uid:gid} (and mixes), names looked up in the container's /etc/passwd and /etc/group.
 * A numeric uid needs no passwd entry (its gid is then 0); a name must have one. Supplementary groups are the
 * groups of /etc/group that list the user.
 */
public final class ImageUsers {
    private ImageUsers() {}

    /** The resolved user: ids, supplementary gids, and the home directory (for HOME) if passwd names one. */
    public record Resolved(long uid, long gid, List<Long> additionalGids, String home, String name) {}

    private record PasswdEntry(String name, long uid, long gid, String home) {}

    private record GroupEntry(String name, long gid, List<String> members) {}

    /** Resolves {@code spec} (null or empty: root) against the root filesystem at {@code rootfs}. */
    public static Resolved resolve(Path rootfs, String spec) {
        if (spec == null || spec.isEmpty()) spec = "0";
        String[] ug = spec.split(":", 2);
        String user = ug[0], group = ug.length > 1 ? ug[1] : null;
        if (user.isEmpty()) throw new FrontException("invalid user \"" + spec + "\": no user name or id");
        List<PasswdEntry> passwd = readPasswd(rootfs);
        PasswdEntry pw = null;
        Long uid = number(user);
        if (uid != null) {
            for (PasswdEntry e : passwd) if (e.uid == uid) { pw = e; break; }
        } else {
            for (PasswdEntry e : passwd) if (e.name.equals(user)) { pw = e; break; }
            if (pw == null) throw new FrontException("unable to find user " + user + ": no matching entries in passwd file", 126);
            uid = pw.uid;
        }
        List<GroupEntry> groups = null;
        long gid;
        if (group == null || group.isEmpty()) {
            gid = pw != null ? pw.gid : 0;
        } else {
            Long g = number(group);
            if (g != null) {
                gid = g;
            } else {
                groups = readGroups(rootfs);
                GroupEntry ge = null;
                for (GroupEntry e : groups) if (e.name.equals(group)) { ge = e; break; }
                if (ge == null) throw new FrontException("unable to find group " + group + ": no matching entries in group file", 126);
                gid = ge.gid;
            }
        }
        Set<Long> extra = new LinkedHashSet<>();
        if (pw != null && (group == null || group.isEmpty())) {
            if (groups == null) groups = readGroups(rootfs);
            for (GroupEntry e : groups) if (e.members.contains(pw.name) && e.gid != gid) extra.add(e.gid);
        }
        return new Resolved(uid, gid, List.copyOf(extra), pw == null ? null : pw.home, pw == null ? null : pw.name);
    }

    private static Long number(String s) {
        if (!s.matches("[0-9]{1,10}")) return null;
        long v = Long.parseLong(s);
        if (v > 0xffffffffL) throw new FrontException("invalid user/group id " + s);
        return v;
    }

    private static List<String> lines(Path rootfs, String file) {
        Path p = RootPaths.resolve(rootfs, file);
        if (!Files.isRegularFile(p)) return List.of();
        try {
            if (Files.size(p) > (16 << 20)) throw new FrontException(file + " in the image is too large");
            return Files.readAllLines(p, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new FrontException("cannot read " + file + " of the container: " + e.getMessage());
        } catch (java.io.UncheckedIOException e) {
            return List.of();
        }
    }

    private static List<PasswdEntry> readPasswd(Path rootfs) {
        List<PasswdEntry> out = new ArrayList<>();
        for (String l : lines(rootfs, "/etc/passwd")) {
            if (l.isBlank() || l.startsWith("#")) continue;
            String[] f = l.split(":", -1);
            if (f.length < 4) continue;
            Long uid = parse(f[2]), gid = parse(f[3]);
            if (uid == null || gid == null) continue;
            out.add(new PasswdEntry(f[0], uid, gid, f.length > 5 ? f[5] : null));
        }
        return out;
    }

    private static List<GroupEntry> readGroups(Path rootfs) {
        List<GroupEntry> out = new ArrayList<>();
        for (String l : lines(rootfs, "/etc/group")) {
            if (l.isBlank() || l.startsWith("#")) continue;
            String[] f = l.split(":", -1);
            if (f.length < 3) continue;
            Long gid = parse(f[2]);
            if (gid == null) continue;
            List<String> members = f.length > 3 && !f[3].isEmpty() ? List.of(f[3].split(",")) : List.of();
            out.add(new GroupEntry(f[0], gid, members));
        }
        return out;
    }

    private static Long parse(String s) {
        try {
            return Long.parseLong(s.trim());
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
