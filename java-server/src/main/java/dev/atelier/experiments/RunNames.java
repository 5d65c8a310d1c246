package dev.atelier.experiments;

import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/** Names for runs created without one, in MLflow's manner: {@code adjective-noun-number}. */
final class RunNames {
  private static final List<String> ADJECTIVES = List.of("amber", "bold", "brisk", "calm", "clever", "crisp",
      "daring", "eager", "fleet", "gentle", "glad", "grand", "keen", "lively", "lucid", "merry", "nimble", "polished",
      "quiet", "rapid", "serene", "sharp", "steady", "sunny", "swift", "tidy", "vivid", "warm", "wise", "zesty");
  private static final List<String> NOUNS = List.of("badger", "bear", "crane", "deer", "dove", "falcon", "finch",
      "fox", "hare", "heron", "ibis", "lark", "lynx", "marten", "newt", "otter", "owl", "panda", "puffin", "quail",
      "raven", "robin", "seal", "shrike", "stoat", "swan", "tern", "vole", "wren", "yak");

  private RunNames() {}

  static String generate() {
    ThreadLocalRandom r = ThreadLocalRandom.current();
    return ADJECTIVES.get(r.nextInt(ADJECTIVES.size())) + "-" + NOUNS.get(r.nextInt(NOUNS.size())) + "-"
        + r.nextInt(1000);
  }
}
