package org.crmsync.phone;

import static java.util.Objects.requireNonNull;

import java.util.Objects;
import java.util.Optional;

/** The result of {@link PhoneNormalizer#check(String)}: the number in E.164 form, if valid, and its problem. */
public final class PhoneCheck {
    private static final PhoneCheck EMPTY = new PhoneCheck(null, PhoneProblem.EMPTY, null);
    private static final PhoneCheck INVALID = new PhoneCheck(null, PhoneProblem.INVALID, null);

    private final String e164;
    private final PhoneProblem problem;
    private final String regionCode;

    private PhoneCheck(String e164, PhoneProblem problem, String regionCode) {
        this.e164 = e164;
        this.problem = requireNonNull(problem, "problem");
        this.regionCode = regionCode;
    }

    static PhoneCheck empty() {
        return EMPTY;
    }

    static PhoneCheck invalid() {
        return INVALID;
    }

    static PhoneCheck valid(String e164, PhoneProblem problem, Optional<String> regionCode) {
        return new PhoneCheck(requireNonNull(e164, "e164"), problem, regionCode.orElse(null));
    }

    /** The number as {@code +14155552671}; present for every valid number, {@link PhoneProblem#NOT_MOBILE} too. */
    public Optional<String> e164() {
        return Optional.ofNullable(e164);
    }

    /** {@link PhoneProblem#NONE} when the number can be used as a mobile number. */
    public PhoneProblem problem() {
        return problem;
    }

    /**
     * The ISO 3166 alpha-2 code of the country the number belongs to ({@code "US"}, {@code "GB"});
     * empty for invalid numbers and for non-geographic ones such as {@code +800}.
     */
    public Optional<String> regionCode() {
        return Optional.ofNullable(regionCode);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PhoneCheck
                && Objects.equals(e164, ((PhoneCheck) o).e164)
                && problem == ((PhoneCheck) o).problem
                && Objects.equals(regionCode, ((PhoneCheck) o).regionCode);
    }

    @Override
    public int hashCode() {
        return Objects.hash(e164, problem, regionCode);
    }

    @Override
    public String toString() {
        return "PhoneCheck[" + (e164 == null ? "" : e164 + ", ") + problem
                + (regionCode == null ? "" : ", " + regionCode) + "]";
    }
}
