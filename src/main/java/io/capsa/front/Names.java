package io.capsa.front;

import java.util.List;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/** Generated container names, Docker's style: {@code adjective_noun} (with a number if that is taken). */
public final class Names {
    private Names() {}

    private static final List<String> ADJECTIVES = List.of(
            "agile", "amber", "ancient", "bold", "brave", "bright", "calm", "clever", "cosmic", "crisp", "curious",
            "daring", "eager", "early", "elegant", "fair", "fancy", "fierce", "gentle", "golden", "happy", "hidden",
            "humble", "jolly", "keen", "kind", "lively", "lucid", "lucky", "merry", "mighty", "modest", "noble",
            "patient", "plucky", "proud", "quick", "quiet", "rapid", "serene", "sharp", "silent", "steady", "sunny",
            "swift", "tender", "tidy", "vivid", "warm", "wise", "witty", "zealous");

    private static final List<String> NOUNS = List.of(
            "albatross", "badger", "beaver", "bison", "condor", "crane", "dolphin", "falcon", "ferret", "finch",
            "fox", "gazelle", "gecko", "heron", "ibex", "jackal", "jaguar", "kestrel", "koala", "lemur", "lynx",
            "marmot", "marten", "mole", "moose", "narwhal", "newt", "ocelot", "orca", "osprey", "otter", "owl",
            "panda", "pelican", "puffin", "quail", "raven", "robin", "salmon", "seal", "sparrow", "stork", "swan",
            "tapir", "tern", "walrus", "weasel", "wombat", "wren", "yak", "zebra");

    /** A name not in {@code taken}. */
    public static String generate(Set<String> taken) {
        ThreadLocalRandom r = ThreadLocalRandom.current();
        for (int i = 0; ; i++) {
            String n = ADJECTIVES.get(r.nextInt(ADJECTIVES.size())) + "_" + NOUNS.get(r.nextInt(NOUNS.size()));
            if (i >= 10) n += r.nextInt(10, 100);
            if (!taken.contains(n)) return n;
        }
    }
}
