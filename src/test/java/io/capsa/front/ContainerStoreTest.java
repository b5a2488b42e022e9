package io.capsa.front;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ContainerStoreTest {
    @TempDir Path root;

    private ContainerRecord add(ContainerStore s, String id, String name) {
        ContainerRecord r = new ContainerRecord();
        r.id = id;
        r.name = name;
        r.created = Instant.now().toString();
        s.create(r);
        return r;
    }

    private static String id(String prefix) {
        return (prefix + "0".repeat(64)).substring(0, 64);
    }

    @Test
    void resolvesFullIdsNamesAndUniquePrefixesLikeDocker() {
        ContainerStore s = new ContainerStore(root);
        add(s, id("abc1"), "web");
        add(s, id("abc2"), "db");
        add(s, id("f00d"), "abc1"); // a name that looks like another container's id prefix

        assertThat(s.resolve(id("abc1")).name).isEqualTo("web");
        assertThat(s.resolve("db").id).isEqualTo(id("abc2"));
        assertThat(s.resolve("/db").id).isEqualTo(id("abc2"));
        // an exact name wins over an id prefix
        assertThat(s.resolve("abc1").id).isEqualTo(id("f00d"));
        assertThat(s.resolve("abc2").name).isEqualTo("db");
        assertThat(s.resolve("f0").name).isEqualTo("abc1");
        assertThatThrownBy(() -> s.resolve("ab")).hasMessage("Multiple IDs found with provided prefix: ab");
        assertThatThrownBy(() -> s.resolve("nope")).hasMessage("No such container: nope");
        assertThatThrownBy(() -> s.resolve("")).hasMessageStartingWith("No such container");
    }

    @Test
    void namesAreUniqueAndChecked() {
        ContainerStore s = new ContainerStore(root);
        add(s, id("a"), "web");
        assertThatThrownBy(() -> add(s, id("b"), "web")).hasMessageContaining("The container name \"/web\" is already in use by container \"" + id("a") + "\"");
        assertThatThrownBy(() -> add(s, id("c"), "bad name")).hasMessageContaining("Invalid container name (bad name)");
        assertThatThrownBy(() -> add(s, id("d"), "-x")).hasMessageContaining("Invalid container name");
        assertThat(s.list()).extracting(r -> r.name).containsExactly("web");
    }

    @Test
    void recordsRoundTripAndDeleteRemovesTheDirectory() {
        ContainerStore s = new ContainerStore(root);
        ContainerRecord r = add(s, id("1"), "xy");
        r.status = ContainerRecord.EXITED;
        r.exitCode = 3;
        r.command.add("sh");
        r.mounts.add(new ContainerRecord.MountPoint("bind", null, "/a", "/b", false, "rprivate"));
        s.save(r);
        ContainerRecord back = s.load(r.id);
        assertThat(back.exitCode).isEqualTo(3);
        assertThat(back.command).containsExactly("sh");
        assertThat(back.mounts).containsExactly(r.mounts.getFirst());
        s.delete(r.id);
        assertThat(s.load(r.id)).isNull();
        assertThat(s.dir(r.id)).doesNotExist();
        assertThatThrownBy(() -> s.dir("../x")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void generatedIdsAndNames() {
        String id = ContainerStore.newId();
        assertThat(id).matches("[0-9a-f]{64}");
        assertThat(id.substring(0, 12)).matches(".*[a-f].*");
        assertThat(Names.generate(java.util.Set.of())).matches("[a-z]+_[a-z]+");
    }
}
