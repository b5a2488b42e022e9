package io.capsa.front;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageUsersTest {
    @TempDir Path rootfs;
    @TempDir Path outside;

    @BeforeEach
    void image() throws Exception {
        Files.createDirectories(rootfs.resolve("etc"));
        Files.writeString(rootfs.resolve("etc/passwd"), """
                root:x:0:0:root:/root:/bin/sh
                # comment
                www-data:x:33:33:www-data:/var/www:/bin/false
                app:x:1000:1000::/home/app:/bin/sh
                """);
        Files.writeString(rootfs.resolve("etc/group"), """
                root:x:0:
                www-data:x:33:
                staff:x:50:www-data,app
                app:x:1000:
                video:x:44:app
                """);
    }

    @Test
    void namesAndNumbersAsDocker() {
        assertThat(ImageUsers.resolve(rootfs, null)).isEqualTo(new ImageUsers.Resolved(0, 0, List.of(), "/root", "root"));
        assertThat(ImageUsers.resolve(rootfs, "www-data")).isEqualTo(new ImageUsers.Resolved(33, 33, List.of(50L), "/var/www", "www-data"));
        assertThat(ImageUsers.resolve(rootfs, "app")).isEqualTo(new ImageUsers.Resolved(1000, 1000, List.of(50L, 44L), "/home/app", "app"));
        assertThat(ImageUsers.resolve(rootfs, "1000").additionalGids()).containsExactly(50L, 44L);
        // a uid without a passwd entry: gid 0, no home
        assertThat(ImageUsers.resolve(rootfs, "4242")).isEqualTo(new ImageUsers.Resolved(4242, 0, List.of(), null, null));
        assertThat(ImageUsers.resolve(rootfs, "4242:7")).isEqualTo(new ImageUsers.Resolved(4242, 7, List.of(), null, null));
        // an explicit group replaces the primary and the supplementary ones
        assertThat(ImageUsers.resolve(rootfs, "app:staff")).isEqualTo(new ImageUsers.Resolved(1000, 50, List.of(), "/home/app", "app"));
        assertThatThrownBy(() -> ImageUsers.resolve(rootfs, "nobody")).hasMessageContaining("unable to find user nobody");
        assertThatThrownBy(() -> ImageUsers.resolve(rootfs, "app:nogroup")).hasMessageContaining("unable to find group nogroup");
    }

    @Test
    void linksInTheImageStayInsideIt() throws Exception {
        // /etc/passwd -> /../../<outside>/passwd must resolve inside the rootfs, never to the host's file
        Files.writeString(outside.resolve("passwd"), "evil:x:0:0::/:/bin/sh\n");
        Files.delete(rootfs.resolve("etc/passwd"));
        Files.createSymbolicLink(rootfs.resolve("etc/passwd"), Path.of("/../../.." + outside + "/passwd"));
        assertThat(RootPaths.resolve(rootfs, "/etc/passwd").startsWith(rootfs)).isTrue();
        assertThatThrownBy(() -> ImageUsers.resolve(rootfs, "evil")).hasMessageContaining("unable to find user evil");
        // a relative link and .. stop at the root
        Files.createSymbolicLink(rootfs.resolve("up"), Path.of("../../../.."));
        assertThat(RootPaths.resolve(rootfs, "/up/etc/group")).isEqualTo(rootfs.resolve("etc/group"));
    }

    @Test
    void mkdirsCreatesInsideTheRoot() throws Exception {
        Files.createSymbolicLink(rootfs.resolve("work"), outside);
        RootPaths.mkdirs(rootfs, "/work/a/b");
        // /work is a link to an absolute host path: inside the container it means <rootfs><outside>
        assertThat(outside.resolve("a")).doesNotExist();
        assertThat(RootPaths.resolve(rootfs, "/work/a/b")).isDirectory();
        assertThat(RootPaths.resolve(rootfs, "/work/a/b").startsWith(rootfs)).isTrue();
    }
}
