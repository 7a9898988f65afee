package dev.skyloom.core.agent.tools;

import java.nio.charset.StandardCharsets;
import java.text.Normalizer;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A relative path inside a run's workspace, safe by construction: it can only name something below the workspace
 * root, whatever later reads it (an S3 key, a file system, a URL).
 *
 * <p>Rules, checked on the text exactly as the model sent it (nothing is decoded first, so there is no second
 * meaning to find): segments separated by {@code /}; each segment made only of Unicode letters and digits and
 * {@code . _ - + = , @ ( ) [ ]} and inner spaces; no empty, {@code .}, {@code ..} or all-dot segment; no leading
 * {@code /} (absolute), no trailing {@code /}; at most 32 segments, 255 UTF-8 bytes per segment and 1024 in all.
 * Everything else is refused, which covers {@code ..}, backslashes, NUL and control characters, percent-encoded
 * forms ({@code %2e%2e%2f}, {@code %252e}), drive letters and schemes ({@code C:}, {@code file:}), {@code ~}, the
 * replacement character an overlong UTF-8 sequence decodes to, and lookalikes of {@code .} and {@code /} (fullwidth
 * forms, one-dot leader, division and fraction slashes: punctuation or symbols, not letters); text that Unicode
 * compatibility normalisation (NFKC) would change is refused too, so two spellings never name one file.
 */
public record WorkspacePath(String value) {
    public static final int MAX_BYTES = 1024;
    public static final int MAX_SEGMENT_BYTES = 255;
    public static final int MAX_SEGMENTS = 32;
    private static final String PUNCTUATION = "._-+=,@()[] ";
    private static final Pattern ALL_DOTS = Pattern.compile("\\.+");

    public WorkspacePath {
        Optional<String> problem = problem(value);
        if (problem.isPresent()) {
            throw new IllegalArgumentException(problem.get());
        }
    }

    /** Parses a path the model sent, or says why it is refused. */
    public static WorkspacePath of(String raw) {
        return new WorkspacePath(raw);
    }

    /** Why {@code raw} is not a workspace path, or empty when it is one. */
    public static Optional<String> problem(String raw) {
        if (raw == null || raw.isEmpty()) {
            return Optional.of("the path is empty; give a relative path such as notes/plan.md");
        }
        if (raw.length() > MAX_BYTES || raw.getBytes(StandardCharsets.UTF_8).length > MAX_BYTES) {
            return Optional.of("the path is longer than " + MAX_BYTES + " bytes");
        }
        if (raw.startsWith("/")) {
            return Optional.of("the path is absolute; give a path relative to the workspace, e.g. notes/plan.md");
        }
        if (raw.endsWith("/")) {
            return Optional.of("the path ends with '/': name a file, not a folder");
        }
        for (int i = 0; i < raw.length(); ) {
            int cp = raw.codePointAt(i);
            if (cp != '/' && !allowed(cp)) {
                return Optional.of("the path contains " + describe(cp) + " at position " + i
                        + "; allowed are letters, digits, '/', and . _ - + = , @ ( ) [ ] and inner spaces");
            }
            i += Character.charCount(cp);
        }
        if (!Normalizer.normalize(raw, Normalizer.Form.NFKC).equals(raw)) {
            return Optional.of("the path is not in Unicode normal form NFKC (it has compatibility characters "
                    + "such as fullwidth or ligature forms); write it with plain characters");
        }
        List<String> segments = List.of(raw.split("/", -1));
        if (segments.size() > MAX_SEGMENTS) {
            return Optional.of("the path has more than " + MAX_SEGMENTS + " segments");
        }
        for (String segment : segments) {
            if (segment.isEmpty()) {
                return Optional.of("the path has an empty segment ('//')");
            }
            if (ALL_DOTS.matcher(segment).matches()) {
                return Optional.of("the path has a '" + segment + "' segment; '.' and '..' are not allowed");
            }
            if (segment.startsWith(" ") || segment.endsWith(" ")) {
                return Optional.of("a path segment starts or ends with a space");
            }
            if (segment.getBytes(StandardCharsets.UTF_8).length > MAX_SEGMENT_BYTES) {
                return Optional.of("a path segment is longer than " + MAX_SEGMENT_BYTES + " bytes");
            }
        }
        return Optional.empty();
    }

    private static boolean allowed(int cp) {
        if (cp < 0x80) {
            return (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z') || (cp >= '0' && cp <= '9')
                    || PUNCTUATION.indexOf(cp) >= 0;
        }
        // letters and digits of any script; never U+FFFD, format characters, marks alone or symbols
        return Character.isLetterOrDigit(cp) && cp != 0xFFFD;
    }

    private static String describe(int cp) {
        if (cp == '\\') {
            return "a backslash";
        }
        if (cp == '%') {
            return "'%' (percent-encoding is not decoded; write the characters themselves)";
        }
        if (cp == 0) {
            return "a NUL character";
        }
        if (Character.isISOControl(cp)) {
            return "a control character";
        }
        return String.format("the character U+%04X", cp) + (cp < 0x80 ? " '" + (char) cp + "'" : "");
    }

    /** The parent folder ({@code a/b} for {@code a/b/c.md}), or empty at the root. */
    public Optional<WorkspacePath> parent() {
        int slash = value.lastIndexOf('/');
        return slash < 0 ? Optional.empty() : Optional.of(new WorkspacePath(value.substring(0, slash)));
    }

    @Override
    public String toString() {
        return value;
    }
}
