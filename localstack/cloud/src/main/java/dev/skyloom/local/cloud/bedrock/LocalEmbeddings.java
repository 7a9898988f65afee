package dev.skyloom.local.cloud.bedrock;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The local model server's text embeddings: deterministic, no model weights, and meaningful enough for semantic
 * ranking in tests. A text becomes the bag of its words, each lower-cased, stemmed lightly (plural {@code -s/-es/-ies},
 * {@code -ing}, {@code -ed}) and folded onto a concept by a small built-in synonym table ({@link #SYNONYMS}: "car",
 * "automobile" and "vehicle" are one concept, "bug", "defect" and "glitch" another). Each concept is feature-hashed
 * (FNV-1a, 64 bits) to one dimension with a sign, weighted {@code 1 + ln(count)}; the vector is L2-normalised when
 * asked (Titan's default). So texts that share concepts have a cosine similarity near
 * {@code shared / sqrt(|a| × |b|)}, synonyms included, and unrelated texts near 0 (up to hash collisions, rarer the
 * more dimensions). Same text and dimensions, same vector, on every machine.
 */
final class LocalEmbeddings {
    /** Groups of words that mean the same here; the first word names the concept. */
    static final List<List<String>> SYNONYMS = List.of(
            List.of("car", "automobile", "vehicle", "auto"),
            List.of("bug", "defect", "glitch", "fault"),
            List.of("error", "failure", "exception", "crash"),
            List.of("fix", "repair", "patch", "mend"),
            List.of("maintenance", "servicing", "upkeep"),
            List.of("fast", "quick", "rapid", "speedy"),
            List.of("slow", "sluggish", "laggy"),
            List.of("big", "large", "huge", "enormous"),
            List.of("small", "tiny", "little"),
            List.of("start", "begin", "launch", "kickoff"),
            List.of("stop", "halt", "end", "terminate"),
            List.of("deploy", "release", "ship", "rollout"),
            List.of("database", "db", "datastore"),
            List.of("test", "check", "verify", "validate"),
            List.of("delete", "remove", "erase"),
            List.of("create", "make", "add"),
            List.of("cost", "price", "expense", "spend", "budget"),
            List.of("customer", "client", "user"),
            List.of("meeting", "sync", "standup"),
            List.of("doc", "documentation", "docs", "manual"),
            List.of("secret", "credential", "password", "token"),
            List.of("review", "inspect", "audit"),
            List.of("happy", "glad", "pleased"),
            List.of("buy", "purchase"));
    private static final Map<String, String> CONCEPT = concepts();
    private static final Set<String> STOP_WORDS = Set.of("a", "an", "and", "are", "as", "at", "be", "by", "for",
            "from", "has", "have", "in", "is", "it", "its", "of", "on", "or", "that", "the", "this", "to", "was",
            "were", "will", "with", "what", "when", "where", "which", "who", "how", "do", "does", "did", "we", "i",
            "you", "our", "about", "should", "can", "my", "your", "their", "they", "them", "there", "so", "not",
            "no", "but", "if", "then", "than", "into", "out", "up", "all", "any", "each");

    private LocalEmbeddings() {
    }

    /** The embedding of {@code text} with {@code dimensions} dimensions; unit length when {@code normalize}. */
    static float[] embed(String text, int dimensions, boolean normalize) {
        Map<String, Integer> counts = new LinkedHashMap<>();
        concepts(text).forEach(concept -> counts.merge(concept, 1, Integer::sum));
        if (counts.isEmpty()) {
            counts.put("", 1);
        }
        double[] vector = new double[dimensions];
        counts.forEach((concept, count) -> {
            long hash = fnv1a(concept);
            int index = (int) Long.remainderUnsigned(hash, dimensions);
            double sign = (mix(hash) & 1) == 0 ? 1 : -1;
            vector[index] += sign * (1 + Math.log(count));
        });
        double norm = 0;
        for (double v : vector) {
            norm += v * v;
        }
        double scale = normalize && norm > 0 ? 1 / Math.sqrt(norm) : 1;
        float[] out = new float[dimensions];
        for (int i = 0; i < dimensions; i++) {
            out[i] = (float) (vector[i] * scale);
        }
        return out;
    }

    /** The concepts of a text, in order: words, stop words out, stemmed, synonyms folded. */
    static List<String> concepts(String text) {
        List<String> concepts = new ArrayList<>();
        for (String word : text.toLowerCase(Locale.ROOT).split("[^\\p{L}\\p{N}]+")) {
            if (word.length() < 2 || STOP_WORDS.contains(word)) {
                continue;
            }
            String concept = CONCEPT.get(word);
            if (concept == null) {
                String stem = stem(word);
                concept = CONCEPT.getOrDefault(stem, stem);
            }
            concepts.add(concept);
        }
        return concepts;
    }

    static String stem(String word) {
        if (word.length() > 4 && word.endsWith("ies")) {
            return word.substring(0, word.length() - 3) + "y";
        }
        if (word.length() > 5 && word.endsWith("ing")) {
            return undouble(word.substring(0, word.length() - 3));
        }
        if (word.length() > 4 && word.endsWith("ed")) {
            return undouble(word.substring(0, word.length() - 2));
        }
        if (word.length() > 4 && (word.endsWith("ches") || word.endsWith("shes") || word.endsWith("xes")
                || word.endsWith("sses"))) {
            return word.substring(0, word.length() - 2);
        }
        if (word.length() > 3 && word.endsWith("s") && !word.endsWith("ss") && !word.endsWith("us")) {
            return word.substring(0, word.length() - 1);
        }
        return word;
    }

    /** "stopp" → "stop", "shipp" → "ship": the doubled consonant of -ing/-ed forms. */
    private static String undouble(String stem) {
        int n = stem.length();
        if (n > 2 && stem.charAt(n - 1) == stem.charAt(n - 2) && "bdgklmnprt".indexOf(stem.charAt(n - 1)) >= 0) {
            return stem.substring(0, n - 1);
        }
        return stem;
    }

    /** A token count like the default model's: a token per four characters, rounded up. */
    static int tokens(String text) {
        return (text.length() + 3) / 4;
    }

    private static Map<String, String> concepts() {
        Map<String, String> map = new HashMap<>();
        for (List<String> group : SYNONYMS) {
            for (String word : group) {
                map.put(word, group.getFirst());
            }
        }
        return Map.copyOf(map);
    }

    private static long fnv1a(String text) {
        long hash = 0xcbf29ce484222325L;
        for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
            hash ^= b & 0xff;
            hash *= 0x100000001b3L;
        }
        return hash;
    }

    /** splitmix64's finaliser: the sign bit must not follow from the index. */
    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }
}
