package io.capsa.seccomp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.capsa.spec.Features;
import io.capsa.spec.SeccompNames;
import io.capsa.sys.LibSeccomp;
import java.nio.file.Files;
import org.junit.jupiter.api.Test;

/** What features says about seccomp, checked against the host (kernel files, libseccomp itself). */
class SeccompFeaturesTest {
    @Test
    void matchesTheHost() {
        Features.Seccomp f = SeccompFeatures.probe();
        assertThat(f.operators()).isEqualTo(SeccompNames.OPERATORS);
        assertThat(f.knownFlags()).isEqualTo(SeccompNames.FLAGS);
        assertThat(SeccompNames.FLAGS).containsAll(f.supportedFlags());
        boolean kernel = Files.exists(SeccompFeatures.ACTIONS_AVAIL);
        assertThat(f.enabled()).isEqualTo(kernel && LibSeccomp.available());
        if (kernel) {
            // every reported action is one the kernel lists, and vice versa
            var avail = SeccompFeatures.kernelActions();
            for (String a : SeccompNames.ACTIONS)
                assertThat(f.actions().contains(a)).as(a).isEqualTo(avail.contains(SeccompFeatures.kernelName(a)));
        }
        if (LibSeccomp.available()) {
            // the archs reported are exactly those libseccomp resolves
            for (String a : SeccompNames.ARCHS)
                assertThat(f.archs().contains(a)).as(a).isEqualTo(LibSeccomp.archResolveName(Seccomp.libseccompArch(a)) != 0);
        }
    }

    @Test
    void supportedFlagsAreAcceptedByTheCompiler() throws Exception {
        assumeTrue(LibSeccomp.available());
        for (String flag : SeccompFeatures.probe().supportedFlags()) {
            var s = SeccompTest.parse("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"flags\": [\"" + flag + "\"]}");
            assertThat(Seccomp.compile(s)).isNotNull();
        }
    }

    @Test
    void libseccompVersionFromTheFileName() {
        assertThat(SeccompFeatures.version("libseccomp.so.2.5.4")).hasValueSatisfying(v -> assertThat(v).containsExactly(2, 5, 4));
        assertThat(SeccompFeatures.version("libseccomp.so.2")).isEmpty();
    }
}
