package dev.atelier.experiments;

import java.util.ArrayList;
import java.util.List;

/** Splits a search expression into {@link Token}s; an unterminated quote or a stray character is an error. */
final class Tokens {
  /** Makes the error for a position; the parser's, so that every message reads the same. */
  interface Failure {
    RuntimeException at(int position, String why);
  }

  private Tokens() {}

  static List<Token> of(String s, Failure fail) {
    List<Token> out = new ArrayList<>();
    int i = 0;
    int n = s.length();
    while (i < n) {
      char c = s.charAt(i);
      if (Character.isWhitespace(c)) {
        i++;
      } else if (c == '\'' || c == '"' || c == '`') {
        int start = i;
        StringBuilder b = new StringBuilder();
        i++;
        while (true) {
          if (i >= n) {
            throw fail.at(start, "the quote " + c + " opened here is never closed");
          }
          char d = s.charAt(i);
          if (d == c) {
            // a doubled quote stands for the quote itself, as in SQL
            if (i + 1 < n && s.charAt(i + 1) == c) {
              b.append(c);
              i += 2;
              continue;
            }
            i++;
            break;
          }
          b.append(d);
          i++;
        }
        Token.Kind kind = c == '`' ? Token.Kind.QUOTED_NAME : Token.Kind.STRING;
        out.add(new Token(kind, b.toString(), s.substring(start, i), start));
      } else if (Character.isDigit(c) || ((c == '-' || c == '+' || c == '.') && i + 1 < n
          && (Character.isDigit(s.charAt(i + 1)) || s.charAt(i + 1) == '.'))) {
        int start = i;
        i++;
        while (i < n && (Character.isDigit(s.charAt(i)) || s.charAt(i) == '.' || s.charAt(i) == 'e'
            || s.charAt(i) == 'E' || ((s.charAt(i) == '-' || s.charAt(i) == '+')
                && (s.charAt(i - 1) == 'e' || s.charAt(i - 1) == 'E')))) {
          i++;
        }
        String num = s.substring(start, i);
        try {
          Double.parseDouble(num);
        } catch (NumberFormatException e) {
          throw fail.at(start, "'" + num + "' is not a number");
        }
        out.add(new Token(Token.Kind.NUMBER, num, num, start));
      } else if (Character.isLetter(c) || c == '_') {
        int start = i;
        while (i < n && (Character.isLetterOrDigit(s.charAt(i)) || s.charAt(i) == '_' || s.charAt(i) == '.')) {
          i++;
        }
        String w = s.substring(start, i);
        out.add(new Token(Token.Kind.WORD, w, w, start));
      } else if (c == '!' || c == '<' || c == '>') {
        int start = i;
        i++;
        if (i < n && (s.charAt(i) == '=' || (c == '<' && s.charAt(i) == '>'))) {
          i++;
        } else if (c == '!') {
          throw fail.at(start, "'!' must be followed by '='");
        }
        String op = s.substring(start, i);
        out.add(new Token(Token.Kind.SYMBOL, op, op, start));
      } else if (c == '=' || c == '(' || c == ')' || c == ',') {
        // '==' reads as '='
        int start = i;
        i += c == '=' && i + 1 < n && s.charAt(i + 1) == '=' ? 2 : 1;
        out.add(new Token(Token.Kind.SYMBOL, String.valueOf(c), s.substring(start, i), start));
      } else {
        throw fail.at(i, "unexpected character '" + c + "'");
      }
    }
    return out;
  }
}
