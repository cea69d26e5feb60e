package io.moerec.ingest.movielens;

import io.moerec.ingest.domain.Genre;
import io.moerec.ingest.domain.GenreSet;
import io.moerec.ingest.json.EventRules;
import io.moerec.ingest.json.InvalidRecordException;
import io.moerec.ingest.json.MovieCodec;
import io.moerec.ingest.json.RejectReason;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The field-level rules shared by the three MovieLens layouts: splitting, strict numbers, titles,
 * years and genres. Every failure names the field and the offending text, so a rejected line's
 * detail is enough to fix the file.
 */
final class MovieLensText {

    private static final int MAX_SHOWN = 40;

    private MovieLensText() {
    }

    /** Decodes a line; UTF-8 strictly (a bad byte sequence is {@link RejectReason#INVALID_UTF8}). */
    static String decode(byte[] bytes, int length, Charset charset) throws InvalidRecordException {
        if (!charset.equals(StandardCharsets.UTF_8)) {
            return new String(bytes, 0, length, charset);
        }
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes, 0, length))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new InvalidRecordException(RejectReason.INVALID_UTF8, "the line is not valid UTF-8: " + e.getMessage());
        }
    }

    /** Splits on a literal separator, keeping empty fields (a trailing empty field too). */
    static List<String> split(String line, String separator) {
        List<String> out = new ArrayList<>(8);
        int from = 0;
        int at;
        while ((at = line.indexOf(separator, from)) >= 0) {
            out.add(line.substring(from, at));
            from = at + separator.length();
        }
        out.add(line.substring(from));
        return out;
    }

    /**
     * Splits one RFC 4180 record: a field may be quoted, a quote inside a quoted field is doubled.
     * Records spanning lines are not supported (MovieLens has none), so an unterminated quote is
     * a rejection rather than a reason to swallow the following lines.
     */
    static List<String> splitCsv(String line) throws InvalidRecordException {
        List<String> out = new ArrayList<>(8);
        StringBuilder field = new StringBuilder();
        int i = 0;
        int n = line.length();
        while (true) {
            field.setLength(0);
            if (i < n && line.charAt(i) == '"') {
                int open = i;
                i++;
                while (true) {
                    if (i >= n) {
                        throw new InvalidRecordException(RejectReason.UNPARSEABLE_LINE,
                                "the quote opened at column " + (open + 1) + " is never closed");
                    }
                    char c = line.charAt(i);
                    if (c == '"') {
                        if (i + 1 < n && line.charAt(i + 1) == '"') {
                            field.append('"');
                            i += 2;
                        } else {
                            i++;
                            break;
                        }
                    } else {
                        field.append(c);
                        i++;
                    }
                }
                if (i < n && line.charAt(i) != ',') {
                    throw new InvalidRecordException(RejectReason.UNPARSEABLE_LINE,
                            "unexpected character after the closing quote at column " + (i + 1) + ": a field ends at the quote");
                }
            } else {
                while (i < n && line.charAt(i) != ',') {
                    char c = line.charAt(i);
                    if (c == '"') {
                        throw new InvalidRecordException(RejectReason.UNPARSEABLE_LINE,
                                "a quote inside an unquoted field at column " + (i + 1) + "; such a field must be quoted");
                    }
                    field.append(c);
                    i++;
                }
            }
            out.add(field.toString());
            if (i >= n) {
                return out;
            }
            i++; // the comma
        }
    }

    static void expectFields(List<String> fields, int expected, String separatorName) throws InvalidRecordException {
        if (fields.size() != expected) {
            throw new InvalidRecordException(RejectReason.UNPARSEABLE_LINE,
                    "expected " + expected + " fields separated by " + separatorName + ", found " + fields.size());
        }
    }

    /** A positive decimal integer id that fits an int (every MovieLens release does). */
    static int parseId(String field, String text) throws InvalidRecordException {
        String s = text.trim();
        if (s.isEmpty() || s.length() > 10 || !allDigits(s)) {
            throw new InvalidRecordException(RejectReason.INVALID_ID,
                    "field '" + field + "' is '" + shown(text) + "', expected a positive decimal integer");
        }
        long v = Long.parseLong(s);
        if (v < 1 || v > Integer.MAX_VALUE) {
            throw new InvalidRecordException(RejectReason.INVALID_ID,
                    "field '" + field + "' is " + v + ", expected 1 to " + Integer.MAX_VALUE);
        }
        return (int) v;
    }

    /**
     * A rating written as digits with an optional decimal part ({@code 4}, {@code 3.5}). Stricter
     * than {@link Double#parseDouble}, which would also take {@code NaN}, {@code 1e1} or {@code 4d}.
     * The range is left to {@link EventRules#check}.
     */
    static double parseRating(String text) throws InvalidRecordException {
        String s = text.trim();
        int dot = s.indexOf('.');
        boolean ok = !s.isEmpty() && s.length() <= 20
                && (dot < 0 ? allDigits(s)
                        : dot > 0 && dot < s.length() - 1 && allDigits(s.substring(0, dot)) && allDigits(s.substring(dot + 1)));
        if (!ok) {
            throw new InvalidRecordException(RejectReason.UNPARSEABLE_LINE,
                    "field 'rating' is '" + shown(text) + "', expected a decimal number such as 4 or 3.5");
        }
        return Double.parseDouble(s);
    }

    /**
     * A timestamp in epoch seconds, returned in epoch milliseconds. A sign is accepted so that a
     * negative value is reported as {@link RejectReason#NEGATIVE_TIMESTAMP} by the event rules.
     */
    static long parseTimestampMs(String text) throws InvalidRecordException {
        String s = text.trim();
        boolean negative = s.startsWith("-");
        String digits = negative ? s.substring(1) : s;
        if (digits.isEmpty() || digits.length() > 18 || !allDigits(digits)) {
            throw new InvalidRecordException(RejectReason.UNPARSEABLE_LINE,
                    "field 'timestamp' is '" + shown(text) + "', expected whole epoch seconds");
        }
        long seconds = Long.parseLong(digits);
        if (seconds > Long.MAX_VALUE / 1000) {
            throw new InvalidRecordException(RejectReason.TIMESTAMP_OUT_OF_RANGE,
                    "field 'timestamp' is " + seconds + " s, outside [1990-01-01, 2100-01-01)");
        }
        return (negative ? -seconds : seconds) * 1000L;
    }

    /** A title as displayed: trimmed, non-empty and no longer than the catalog allows. */
    static String title(String text) throws InvalidRecordException {
        String t = text.trim();
        if (t.isEmpty()) {
            throw new InvalidRecordException(RejectReason.MISSING_FIELD, "field 'title' is empty");
        }
        if (t.length() > MovieCodec.MAX_TITLE_LENGTH) {
            throw new InvalidRecordException(RejectReason.VALUE_OUT_OF_RANGE,
                    "field 'title' has " + t.length() + " characters, at most " + MovieCodec.MAX_TITLE_LENGTH + " are allowed");
        }
        return t;
    }

    /** The year of a title ending in {@code (YYYY)}, if it is a plausible release year. */
    static Optional<Integer> yearFromTitle(String title) {
        String t = title.trim();
        int n = t.length();
        if (n < 6 || t.charAt(n - 1) != ')' || t.charAt(n - 6) != '(') {
            return Optional.empty();
        }
        return plausibleYear(t.substring(n - 5, n - 1));
    }

    static Optional<Integer> plausibleYear(String digits) {
        if (digits.length() != 4 || !allDigits(digits)) {
            return Optional.empty();
        }
        int y = Integer.parseInt(digits);
        return y >= MovieCodec.MIN_YEAR && y <= MovieCodec.MAX_YEAR ? Optional.of(y) : Optional.empty();
    }

    /**
     * Genre names separated by {@code |}. "unknown" (ml-100k/ml-1m) and "IMAX" are not genres of the
     * vocabulary and are dropped; "(no genres listed)" and an empty field mean no genres. Any other
     * name not in the vocabulary rejects the line: guessing would plant a wrong signal.
     */
    static GenreSet genres(String text) throws InvalidRecordException {
        String s = text.trim();
        if (s.isEmpty() || s.equals("(no genres listed)")) {
            return GenreSet.EMPTY;
        }
        GenreSet set = GenreSet.EMPTY;
        for (String name : split(s, "|")) {
            String lower = name.trim().toLowerCase(Locale.ROOT);
            if (lower.equals("unknown") || lower.equals("imax") || lower.equals("(no genres listed)")) {
                continue;
            }
            Optional<Genre> g = Genre.fromMovieLensName(name);
            if (g.isEmpty()) {
                throw new InvalidRecordException(RejectReason.UNKNOWN_GENRE,
                        "genre '" + shown(name) + "' is not in vocabulary version " + Genre.VOCABULARY_VERSION);
            }
            set = set.with(g.get());
        }
        return set;
    }

    static boolean allDigits(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return false;
            }
        }
        return !s.isEmpty();
    }

    static String shown(String s) {
        return s.length() <= MAX_SHOWN ? s : s.substring(0, MAX_SHOWN) + "...";
    }
}
