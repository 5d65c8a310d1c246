package dev.atelier.experiments;

import java.util.Locale;

/** One token of a search expression: its kind, its text (unquoted) and where it starts. */
record Token(Kind kind, String text, String raw, int position) {
  enum Kind { WORD, QUOTED_NAME, STRING, NUMBER, SYMBOL }

  boolean isWord(String w) {
    return kind == Kind.WORD && text.toUpperCase(Locale.ROOT).equals(w);
  }

  boolean isSymbol(String s) {
    return kind == Kind.SYMBOL && text.equals(s);
  }
}
