package org.crmsync.everyaction.internal;

import static java.util.Objects.requireNonNull;

import java.util.Locale;
import java.util.Optional;

/**
 * One phone of a person as VAN reads it back: {@code phoneType} and the opt-in statuses come as display
 * words ({@code "Cell"}, {@code "Opt-In"}), which this keeps and also reads as the codes writes take.
 *
 * @param typeCode H home, W work, C cell, M main, F fax (the write codes; parsons' docstring)
 * @param smsOptIn the SMS opt-in as VAN answered it (a word or a code); empty when absent
 * @param isCellStatus {@code isCellStatus.statusName} ("Verified Cell", "Likely Cell", ...); reads only
 */
public record VanPhone(Optional<Long> phoneId, String number, Optional<String> dialingPrefix, Optional<String> typeCode,
        boolean preferred, Optional<String> smsOptIn, Optional<String> isCellStatus) {
    public VanPhone {
        requireNonNull(phoneId, "phoneId");
        requireNonNull(number, "number");
        requireNonNull(dialingPrefix, "dialingPrefix");
        requireNonNull(typeCode, "typeCode");
        requireNonNull(smsOptIn, "smsOptIn");
        requireNonNull(isCellStatus, "isCellStatus");
    }

    /** A phone VAN types as a cell phone. */
    public boolean isCell() {
        return typeCode.filter("C"::equals).isPresent();
    }

    /** Not typed as a cell, but VAN's cell check says it is one ("Verified Cell"). */
    public boolean verifiedCell() {
        return isCellStatus.map(s -> s.toLowerCase(Locale.ROOT)).filter(s -> s.startsWith("verified cell")).isPresent();
    }

    /** The SMS opt-in as a write code: I, O or U; empty when VAN said nothing or something unknown. */
    public Optional<String> smsOptInCode() {
        return smsOptIn.flatMap(VanPhone::optInCode);
    }

    /** The number with its country code, as the engine reads phone numbers: {@code +14142020792}. */
    public String international() {
        String digits = number.replaceAll("[^0-9]", "");
        String prefix = dialingPrefix.map(p -> p.replaceAll("[^0-9]", "")).filter(p -> !p.isEmpty()).orElse("1");
        if (number.trim().startsWith("+")) {
            return "+" + digits;
        }
        if (prefix.equals("1") && digits.length() == 11 && digits.startsWith("1")) {
            return "+" + digits;
        }
        return digits.isEmpty() ? number : "+" + prefix + digits;
    }

    /** A phone type read ("Cell") or written ("C") as its write code. */
    public static Optional<String> typeCode(String value) {
        if (value == null || value.isBlank()) {
            return Optional.empty();
        }
        switch (value.trim().toLowerCase(Locale.ROOT)) {
            case "c": case "cell": case "mobile": return Optional.of("C");
            case "h": case "home": return Optional.of("H");
            case "w": case "work": return Optional.of("W");
            case "m": case "main": return Optional.of("M");
            case "f": case "fax": return Optional.of("F");
            default: return Optional.of(value.trim());
        }
    }

    /** An opt-in status read ("Opt-In", "Unknown") or written ("I") as its write code. */
    public static Optional<String> optInCode(String value) {
        if (value == null || value.isBlank()) {
            return Optional.empty();
        }
        switch (value.trim().toLowerCase(Locale.ROOT).replace(" ", "").replace("-", "")) {
            case "i": case "optin": case "optedin": return Optional.of("I");
            case "o": case "optout": case "optedout": return Optional.of("O");
            case "u": case "unknown": return Optional.of("U");
            default: return Optional.empty();
        }
    }

    /** Names no number: phones are personal data. */
    @Override
    public String toString() {
        return "VanPhone{" + phoneId.map(String::valueOf).orElse("?") + ", " + typeCode.orElse("?") + "}";
    }
}
