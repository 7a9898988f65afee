package dev.skyloom.core.identity;

import java.util.Collection;
import java.util.regex.Pattern;

/** API scopes read {@code resource:action}; {@code *} alone, or as either part, is a wildcard. */
public final class Scopes {
    /** The form of one scope: {@code *}, or {@code resource:action} of a-z, '-' and '*'. */
    public static final Pattern VALID = Pattern.compile("\\*|([a-z][a-z-]*|\\*):([a-z][a-z-]*|\\*)");

    private Scopes() {
    }

    /**
     * Whether a holder of {@code held} may hand {@code scope} on (to a key or a user's role): it holds it exactly, or
     * holds {@code *}, or the scope has no wildcard and {@code held} allows it.
     */
    public static boolean canGrant(Collection<String> held, String scope) {
        if (held.contains("*") || held.contains(scope)) {
            return true;
        }
        return !scope.contains("*") && allows(held, scope);
    }

    public static boolean allows(Collection<String> granted, String required) {
        int colon = required.indexOf(':');
        String resource = required.substring(0, colon);
        String action = required.substring(colon + 1);
        for (String grant : granted) {
            if (grant.equals("*") || grant.equals(required)) {
                return true;
            }
            int c = grant.indexOf(':');
            if (c > 0) {
                String r = grant.substring(0, c);
                String a = grant.substring(c + 1);
                if ((r.equals("*") || r.equals(resource)) && (a.equals("*") || a.equals(action))) {
                    return true;
                }
            }
        }
        return false;
    }
}
