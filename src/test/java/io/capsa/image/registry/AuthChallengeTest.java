package io.capsa.image.registry;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class AuthChallengeTest {
    @Test
    void dockerHubBearer() {
        List<AuthChallenge> c = AuthChallenge.parse("Bearer realm=\"https://auth.docker.io/token\","
                + "service=\"registry.docker.io\",scope=\"repository:library/alpine:pull\"");
        assertThat(c).hasSize(1);
        assertThat(c.get(0).scheme()).isEqualTo("bearer");
        assertThat(c.get(0).params()).containsEntry("realm", "https://auth.docker.io/token").hasSize(3);
        assertThat(c.get(0).param("service")).isEqualTo("registry.docker.io");
        assertThat(c.get(0).param("scope")).isEqualTo("repository:library/alpine:pull");
    }

    @Test
    void basicAndCase() {
        List<AuthChallenge> c = AuthChallenge.parse("BASIC Realm=\"Registry Realm\"");
        assertThat(c).singleElement().satisfies(a -> {
            assertThat(a.scheme()).isEqualTo("basic");
            assertThat(a.param("realm")).isEqualTo("Registry Realm");
        });
    }

    @Test
    void severalChallengesInOneHeader() {
        List<AuthChallenge> c = AuthChallenge.parse(
                "Basic realm=\"a, b\", Bearer realm=\"https://t/x?y=1\", service=svc ,error=\"insufficient_scope\"");
        assertThat(c).extracting(AuthChallenge::scheme).containsExactly("basic", "bearer");
        assertThat(c.get(0).param("realm")).isEqualTo("a, b");
        assertThat(c.get(1).param("realm")).isEqualTo("https://t/x?y=1");
        assertThat(c.get(1).param("service")).isEqualTo("svc");
        assertThat(c.get(1).param("error")).isEqualTo("insufficient_scope");
    }

    @Test
    void escapesUnquotedAndToken68() {
        assertThat(AuthChallenge.parse("Bearer realm=\"a\\\"b\\\\c\"").get(0).param("realm")).isEqualTo("a\"b\\c");
        assertThat(AuthChallenge.parse("Bearer realm=https://x/token,service=s").get(0).params())
                .containsEntry("realm", "https://x/token").containsEntry("service", "s");
        List<AuthChallenge> t = AuthChallenge.parse("Negotiate YWJj==, Basic realm=r");
        assertThat(t).extracting(AuthChallenge::scheme).containsExactly("negotiate", "basic");
        assertThat(t.get(1).param("realm")).isEqualTo("r");
    }

    @Test
    void severalHeadersAndGarbage() {
        assertThat(AuthChallenge.parse(List.of("Basic realm=x", "Bearer realm=y"))).hasSize(2);
        assertThat(AuthChallenge.parse("")).isEmpty();
        assertThat(AuthChallenge.parse(",,, ")).isEmpty();
        assertThat(AuthChallenge.parse("Bearer realm=\"unterminated")).singleElement()
                .satisfies(a -> assertThat(a.param("realm")).isEqualTo("unterminated"));
    }
}
