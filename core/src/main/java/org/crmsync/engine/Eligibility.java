package org.crmsync.engine;

import java.util.Optional;
import org.crmsync.phone.Countries;
import org.crmsync.phone.PhoneCheck;
import org.crmsync.phone.PhoneNormalizer;
import org.crmsync.phone.PhoneProblem;
import org.crmsync.policy.SyncPolicy;
import org.crmsync.report.Reason;

/**
 * DESIGN.md §3 rule 3's checks of a person's mobile number and country, the same in both directions:
 * what the inbound sync would skip, the outbound sync does not create in the CRM either.
 */
final class Eligibility {
    /** Why a person is not synced; the message names no personal value. */
    record Skip(Reason reason, String message) {
    }

    private final SyncPolicy policy;
    private final PhoneNormalizer phones;

    Eligibility(SyncPolicy policy) {
        this.policy = policy;
        this.phones = PhoneNormalizer.forRegion(policy.defaultRegion());
    }

    PhoneNormalizer phones() {
        return phones;
    }

    PhoneCheck phone(String raw) {
        return phones.check(raw == null ? "" : raw);
    }

    /** A mobile number is required (the seeds: every CRM) and this one is missing, invalid or a landline. */
    Optional<Skip> mobileProblem(PhoneCheck phone) {
        if (phone.problem() == PhoneProblem.NONE || !policy.requireMobileNumber()) {
            return Optional.empty();
        }
        return Optional.of(new Skip(Reason.NO_MOBILE_NUMBER, describe(phone.problem())));
    }

    /**
     * The country (the record's country field, else the phone number's) is not one the policy allows.
     * Placeholders such as {@code N/A} count as no country.
     */
    Optional<Skip> countryProblem(String countryField, PhoneCheck phone) {
        if (policy.allowedCountries().isEmpty()) {
            return Optional.empty();
        }
        String countryValue = Optional.ofNullable(countryField).filter(v -> !v.isBlank() && !Countries.isNoValue(v))
                .orElse(null);
        Optional<String> country = countryValue != null ? Countries.countryCode(countryValue) : phone.regionCode();
        if (country.isPresent() && policy.allowsCountry(country.get())) {
            return Optional.empty();
        }
        return Optional.of(new Skip(Reason.COUNTRY_NOT_ALLOWED, "country " + (countryValue != null
                ? "'" + countryValue + "'" : "of the phone number (" + country.orElse("unknown") + ")")
                + " is not one of " + policy.allowedCountries()));
    }

    static String describe(PhoneProblem problem) {
        switch (problem) {
            case EMPTY:
                return "no mobile number";
            case NOT_MOBILE:
                return "the phone number is not a mobile number (landline or service number)";
            default:
                return "the phone number is not a valid number";
        }
    }
}
