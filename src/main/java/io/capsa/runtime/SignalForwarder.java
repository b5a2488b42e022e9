package io.capsa.runtime;

import io.capsa.sys.Syscall;
import java.util.ArrayList;
import java.util.List;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/** While run waits in the foreground, the signals it receives go to the container (through the waiting stage). */
final class SignalForwarder {
    private static final String[] FORWARDED = {"INT", "TERM", "HUP", "QUIT", "USR1", "USR2", "WINCH"};
    private final List<Signal> signals = new ArrayList<>();
    private final List<SignalHandler> previous = new ArrayList<>();

    static SignalForwarder install(long pid) {
        SignalForwarder f = new SignalForwarder();
        for (String name : FORWARDED) {
            try {
                Signal s = new Signal(name);
                f.previous.add(Signal.handle(s, sig -> {
                    try {
                        Syscall.kill(pid, sig.getNumber());
                    } catch (RuntimeException ignored) {
                        // the container is gone
                    }
                }));
                f.signals.add(s);
            } catch (IllegalArgumentException ignored) {
                // the JVM reserves this one (e.g. QUIT with -Xrs off): leave it
            }
        }
        return f;
    }

    void uninstall() {
        for (int i = 0; i < signals.size(); i++) Signal.handle(signals.get(i), previous.get(i));
    }
}
