package io.capsa.image.registry;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CredentialStoreTest {
    @TempDir
    Path tmp;

    static String b64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes());
    }

    @Test
    void readsDockerConfigAndCapsaFileFirst() throws Exception {
        Path docker = tmp.resolve("config.json");
        Files.writeString(docker, "{\"auths\":{"
                + "\"https://index.docker.io/v1/\":{\"auth\":\"" + b64("hubuser:hubpass") + "\"},"
                + "\"https://reg.example:5000\":{\"username\":\"u2\",\"password\":\"p2\"},"
                + "\"tok.example\":{\"auth\":\"\",\"identitytoken\":\"refresh\"}}}");
        Path capsa = tmp.resolve("capsa/auth.json");
        CredentialStore s = new CredentialStore(capsa, List.of(docker));
        assertThat(s.lookup("docker.io")).isEqualTo(new Credentials("hubuser", "hubpass"));
        assertThat(s.lookup("reg.example:5000")).isEqualTo(new Credentials("u2", "p2"));
        assertThat(s.lookup("tok.example").password()).isEqualTo("refresh");
        assertThat(s.lookup("other.example")).isNull();

        s.store("docker.io", new Credentials("mine", "secret:with:colons"));
        assertThat(s.lookup("docker.io")).isEqualTo(new Credentials("mine", "secret:with:colons"));
        assertThat(Files.getPosixFilePermissions(capsa)).extracting(Object::toString)
                .containsExactlyInAnyOrder("OWNER_READ", "OWNER_WRITE");
        assertThat(s.remove("docker.io")).isTrue();
        assertThat(s.remove("docker.io")).isFalse();
        assertThat(s.lookup("docker.io")).isEqualTo(new Credentials("hubuser", "hubpass"));
    }

    @Test
    void hostOfKeys() {
        assertThat(CredentialStore.hostOf("https://index.docker.io/v1/")).isEqualTo("docker.io");
        assertThat(CredentialStore.hostOf("http://127.0.0.1:5000/v2/")).isEqualTo("127.0.0.1:5000");
        assertThat(CredentialStore.hostOf("quay.io")).isEqualTo("quay.io");
    }
}
