package io.capsa.spec;

import static io.capsa.spec.MountOptions.*;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class MountOptionsTest {

    /** runc 1.2's KnownMountOptions (mount flags, propagation, recursive attributes, extensions), sorted. */
    static final List<String> RUNC_KNOWN = List.of("async", "atime", "bind", "defaults", "dev", "diratime", "dirsync",
            "exec", "iversion", "lazytime", "loud", "mand", "noatime", "nodev", "nodiratime", "noexec", "noiversion",
            "nolazytime", "nomand", "norelatime", "nostrictatime", "nosuid", "nosymfollow", "private", "ratime",
            "rbind", "rdev", "rdiratime", "relatime", "remount", "rexec", "rnoatime", "rnodev", "rnodiratime",
            "rnoexec", "rnorelatime", "rnostrictatime", "rnosuid", "rnosymfollow", "ro", "rprivate", "rrelatime",
            "rro", "rrw", "rshared", "rslave", "rstrictatime", "rsuid", "rsymfollow", "runbindable", "rw", "shared",
            "silent", "slave", "strictatime", "suid", "symfollow", "sync", "tmpcopyup", "unbindable");

    @Test
    void featureListIsRuncsKnownList() {
        assertThat(MountOptions.featureNames()).containsExactlyElementsOf(RUNC_KNOWN);
        assertThat(MountOptions.table()).containsKeys("idmap", "ridmap");
    }

    @Test
    void kernelConstants() {
        // values from linux/mount.h (uapi)
        assertThat(MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC).isEqualTo(0xF);
        assertThat(MS_BIND).isEqualTo(0x1000);
        assertThat(MS_REC).isEqualTo(0x4000);
        assertThat(MS_PRIVATE).isEqualTo(0x40000);
        assertThat(MS_SLAVE).isEqualTo(0x80000);
        assertThat(MS_SHARED).isEqualTo(0x100000);
        assertThat(MS_UNBINDABLE).isEqualTo(0x20000);
        assertThat(MS_RELATIME).isEqualTo(0x200000);
        assertThat(MS_STRICTATIME).isEqualTo(0x1000000);
        assertThat(MS_LAZYTIME).isEqualTo(0x2000000);
        assertThat(MS_I_VERSION).isEqualTo(0x800000);
        assertThat(MS_NOSYMFOLLOW).isEqualTo(0x100);
        assertThat(MOUNT_ATTR_NOSYMFOLLOW).isEqualTo(0x200000);
        assertThat(MOUNT_ATTR_IDMAP).isEqualTo(0x100000);
    }

    @Test
    void everyEntry() {
        record E(String name, Kind kind, boolean clear, long flag) {
        }
        List<E> expected = List.of(
                new E("async", Kind.FLAG, true, MS_SYNCHRONOUS), new E("atime", Kind.FLAG, true, MS_NOATIME),
                new E("bind", Kind.FLAG, false, MS_BIND), new E("defaults", Kind.FLAG, false, 0),
                new E("dev", Kind.FLAG, true, MS_NODEV), new E("diratime", Kind.FLAG, true, MS_NODIRATIME),
                new E("dirsync", Kind.FLAG, false, MS_DIRSYNC), new E("exec", Kind.FLAG, true, MS_NOEXEC),
                new E("iversion", Kind.FLAG, false, MS_I_VERSION), new E("lazytime", Kind.FLAG, false, MS_LAZYTIME),
                new E("loud", Kind.FLAG, true, MS_SILENT), new E("mand", Kind.FLAG, false, MS_MANDLOCK),
                new E("noatime", Kind.FLAG, false, MS_NOATIME), new E("nodev", Kind.FLAG, false, MS_NODEV),
                new E("nodiratime", Kind.FLAG, false, MS_NODIRATIME), new E("noexec", Kind.FLAG, false, MS_NOEXEC),
                new E("noiversion", Kind.FLAG, true, MS_I_VERSION), new E("nolazytime", Kind.FLAG, true, MS_LAZYTIME),
                new E("nomand", Kind.FLAG, true, MS_MANDLOCK), new E("norelatime", Kind.FLAG, true, MS_RELATIME),
                new E("nostrictatime", Kind.FLAG, true, MS_STRICTATIME), new E("nosuid", Kind.FLAG, false, MS_NOSUID),
                new E("nosymfollow", Kind.FLAG, false, MS_NOSYMFOLLOW),
                new E("rbind", Kind.FLAG, false, MS_BIND | MS_REC), new E("relatime", Kind.FLAG, false, MS_RELATIME),
                new E("remount", Kind.FLAG, false, MS_REMOUNT), new E("ro", Kind.FLAG, false, MS_RDONLY),
                new E("rw", Kind.FLAG, true, MS_RDONLY), new E("silent", Kind.FLAG, false, MS_SILENT),
                new E("strictatime", Kind.FLAG, false, MS_STRICTATIME), new E("suid", Kind.FLAG, true, MS_NOSUID),
                new E("sync", Kind.FLAG, false, MS_SYNCHRONOUS), new E("symfollow", Kind.FLAG, true, MS_NOSYMFOLLOW),
                new E("rprivate", Kind.PROPAGATION, false, MS_PRIVATE | MS_REC),
                new E("private", Kind.PROPAGATION, false, MS_PRIVATE),
                new E("rslave", Kind.PROPAGATION, false, MS_SLAVE | MS_REC),
                new E("slave", Kind.PROPAGATION, false, MS_SLAVE),
                new E("rshared", Kind.PROPAGATION, false, MS_SHARED | MS_REC),
                new E("shared", Kind.PROPAGATION, false, MS_SHARED),
                new E("runbindable", Kind.PROPAGATION, false, MS_UNBINDABLE | MS_REC),
                new E("unbindable", Kind.PROPAGATION, false, MS_UNBINDABLE),
                new E("rro", Kind.RECURSIVE_ATTR, false, MOUNT_ATTR_RDONLY),
                new E("rrw", Kind.RECURSIVE_ATTR, true, MOUNT_ATTR_RDONLY),
                new E("rnosuid", Kind.RECURSIVE_ATTR, false, MOUNT_ATTR_NOSUID),
                new E("rsuid", Kind.RECURSIVE_ATTR, true, MOUNT_ATTR_NOSUID),
                new E("rnodev", Kind.RECURSIVE_ATTR, false, MOUNT_ATTR_NODEV),
                new E("rdev", Kind.RECURSIVE_ATTR, true, MOUNT_ATTR_NODEV),
                new E("rnoexec", Kind.RECURSIVE_ATTR, false, MOUNT_ATTR_NOEXEC),
                new E("rexec", Kind.RECURSIVE_ATTR, true, MOUNT_ATTR_NOEXEC),
                new E("rnodiratime", Kind.RECURSIVE_ATTR, false, MOUNT_ATTR_NODIRATIME),
                new E("rdiratime", Kind.RECURSIVE_ATTR, true, MOUNT_ATTR_NODIRATIME),
                new E("rrelatime", Kind.RECURSIVE_ATTR, false, MOUNT_ATTR_RELATIME),
                new E("rnorelatime", Kind.RECURSIVE_ATTR, true, MOUNT_ATTR_RELATIME),
                new E("rnoatime", Kind.RECURSIVE_ATTR, false, MOUNT_ATTR_NOATIME),
                new E("ratime", Kind.RECURSIVE_ATTR, true, MOUNT_ATTR_NOATIME),
                new E("rstrictatime", Kind.RECURSIVE_ATTR, false, MOUNT_ATTR_STRICTATIME),
                new E("rnostrictatime", Kind.RECURSIVE_ATTR, true, MOUNT_ATTR_STRICTATIME),
                new E("rnosymfollow", Kind.RECURSIVE_ATTR, false, MOUNT_ATTR_NOSYMFOLLOW),
                new E("rsymfollow", Kind.RECURSIVE_ATTR, true, MOUNT_ATTR_NOSYMFOLLOW),
                new E("tmpcopyup", Kind.EXTENSION, false, 0),
                new E("idmap", Kind.IDMAP, false, 0), new E("ridmap", Kind.IDMAP, false, 0));
        assertThat(MountOptions.table()).hasSize(expected.size());
        for (E e : expected) {
            assertThat(MountOptions.lookup(e.name())).as(e.name())
                    .isEqualTo(new Option(e.name(), e.kind(), e.clear(), e.flag()));
        }
    }

    @Test
    void parsesDefaultSpecMounts() {
        Parsed dev = parse(List.of("nosuid", "strictatime", "mode=755", "size=65536k"));
        assertThat(dev.flags()).isEqualTo(MS_NOSUID | MS_STRICTATIME);
        assertThat(dev.data()).isEqualTo("mode=755,size=65536k");
        assertThat(dev.propagation()).isEmpty();
        assertThat(dev.hasRecursiveAttr()).isFalse();

        Parsed sys = parse(List.of("rbind", "nosuid", "noexec", "nodev", "ro"));
        assertThat(sys.flags()).isEqualTo(MS_BIND | MS_REC | MS_NOSUID | MS_NOEXEC | MS_NODEV | MS_RDONLY);
        assertThat(sys.isBind()).isTrue();
        assertThat(sys.data()).isEmpty();

        Parsed none = parse(null);
        assertThat(none).isEqualTo(new Parsed(0, 0, List.of(), 0, 0, false, null, ""));
    }

    @Test
    void laterOptionsOverrideEarlierOnes() {
        Parsed p = parse(List.of("ro", "rw"));
        assertThat(p.flags()).isZero();
        assertThat(p.clearedFlags()).isEqualTo(MS_RDONLY);
        p = parse(List.of("rw", "ro"));
        assertThat(p.flags()).isEqualTo(MS_RDONLY);
        assertThat(p.clearedFlags()).isZero();
        p = parse(List.of("suid", "dev", "exec"));
        assertThat(p.clearedFlags()).isEqualTo(MS_NOSUID | MS_NODEV | MS_NOEXEC);
    }

    @Test
    void propagationIsKeptInOrder() {
        Parsed p = parse(List.of("bind", "private", "rshared", "unbindable"));
        assertThat(p.propagation()).containsExactly(MS_PRIVATE, MS_SHARED | MS_REC, MS_UNBINDABLE);
        assertThat(MountOptions.propagation("rslave")).isEqualTo(MS_SLAVE | MS_REC);
        assertThat(MountOptions.propagation("ro")).isEqualTo(-1);
        assertThat(MountOptions.propagation("bogus")).isEqualTo(-1);
    }

    @Test
    void recursiveAttributes() {
        Parsed p = parse(List.of("rbind", "rro", "rnosuid", "rnoexec"));
        assertThat(p.attrSet()).isEqualTo(MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NOEXEC);
        assertThat(p.attrClr()).isZero();
        assertThat(p.hasRecursiveAttr()).isTrue();

        p = parse(List.of("rro", "rrw"));
        assertThat(p.attrSet()).isZero();
        assertThat(p.attrClr()).isEqualTo(MOUNT_ATTR_RDONLY);

        // an access-time setting needs the whole _ATIME field cleared too
        p = parse(List.of("rnoatime"));
        assertThat(p.attrSet()).isEqualTo(MOUNT_ATTR_NOATIME);
        assertThat(p.attrClr()).isEqualTo(MOUNT_ATTR__ATIME);
        p = parse(List.of("rstrictatime"));
        assertThat(p.attrSet()).isEqualTo(MOUNT_ATTR_STRICTATIME);
        assertThat(p.attrClr()).isEqualTo(MOUNT_ATTR__ATIME);
        p = parse(List.of("rrelatime"));
        assertThat(p.attrSet()).isZero();
        assertThat(p.attrClr()).isEqualTo(MOUNT_ATTR__ATIME);
        assertThat(p.hasRecursiveAttr()).isTrue();
        // runc quirk: MOUNT_ATTR_RELATIME is 0, so rnorelatime changes nothing
        p = parse(List.of("rnorelatime"));
        assertThat(p.hasRecursiveAttr()).isFalse();
        // nodiratime is an independent bit, not part of _ATIME
        p = parse(List.of("rnodiratime"));
        assertThat(p.attrSet()).isEqualTo(MOUNT_ATTR_NODIRATIME);
        assertThat(p.attrClr()).isZero();
    }

    @Test
    void extensionsAndData() {
        Parsed p = parse(List.of("tmpcopyup", "mode=1777", "defaults", "acl", "size=1m", "ridmap"));
        assertThat(p.tmpcopyup()).isTrue();
        assertThat(p.idmap()).isEqualTo("ridmap");
        assertThat(p.flags()).isZero();
        assertThat(p.data()).isEqualTo("mode=1777,acl,size=1m");
    }
}
