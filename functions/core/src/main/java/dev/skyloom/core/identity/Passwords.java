package dev.skyloom.core.identity;

import com.password4j.Argon2Function;
import com.password4j.Password;
import com.password4j.types.Argon2;

/** User passwords: Argon2id (password4j), stored as the PHC string; verification is constant-time in the library. */
public final class Passwords {
    /** Argon2id, 19 MiB, 2 iterations, 1 lane: OWASP's minimum recommendation, ~50 ms on a Lambda vCPU. */
    private static final Argon2Function ARGON2ID = Argon2Function.getInstance(19_456, 2, 1, 32, Argon2.ID);
    private static final String DUMMY = hash("a password nobody has, to spend the same time");

    private Passwords() {
    }

    public static String hash(String password) {
        return Password.hash(password).addRandomSalt(16).with(ARGON2ID).getResult();
    }

    public static boolean verify(String password, String storedHash) {
        return Password.check(password, storedHash).with(ARGON2ID);
    }

    /** Spends the time of a verification when there is no user, so timing does not reveal which e-mails exist. */
    public static void verifyNothing(String password) {
        verify(password, DUMMY);
    }
}
