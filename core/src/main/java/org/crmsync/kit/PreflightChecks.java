package org.crmsync.kit;

import static java.util.Objects.requireNonNull;

import java.util.Collection;
import java.util.List;
import java.util.Optional;
import org.crmsync.CrmSyncException;
import org.crmsync.ErrorCode;
import org.crmsync.spi.PreflightProblem;

/**
 * The checks every connector's preflight makes: that the credentials work (a refused login or key is
 * a preflight problem to report with the others, not a failed run), and that a mapped field exists,
 * with a hint when the CRM spells it in another case.
 */
public final class PreflightChecks {
    private PreflightChecks() {
    }

    /**
     * Runs a call that proves the credentials (a login, a "who am I"): a refusal (authentication, a
     * permission, a configuration the CRM refuses) is the {@code credentials} problem; any other failure
     * (the CRM down) is thrown, since it says nothing about the setup.
     */
    public static List<PreflightProblem> credentials(Runnable check) {
        requireNonNull(check, "check");
        try {
            check.run();
            return List.of();
        } catch (CrmSyncException e) {
            if (e.code() == ErrorCode.AUTHENTICATION_FAILED || e.code() == ErrorCode.PERMISSION_DENIED
                    || e.code() == ErrorCode.INVALID_CONFIGURATION) {
                return List.of(new PreflightProblem("credentials", e.getMessage()));
            }
            throw e;
        }
    }

    /**
     * A hint for a field name the CRM does not know but has in another case: {@code " (the CRM spells it
     * Mobile_Subscriber__c, and names are case-sensitive here)"}; empty when there is none.
     *
     * @param crm the CRM's name, for the hint
     */
    public static String caseHint(String crm, String name, Collection<String> known) {
        return known.stream().filter(n -> n.equalsIgnoreCase(name) && !n.equals(name)).findFirst()
                .map(n -> " (" + crm + " spells it " + n + ", and names are case-sensitive here)").orElse("");
    }

    /** The field named {@code name}, or empty; {@link #caseHint} says why not when the case differs. */
    public static Optional<String> exactly(String name, Collection<String> known) {
        return known.contains(name) ? Optional.of(name) : Optional.empty();
    }
}
