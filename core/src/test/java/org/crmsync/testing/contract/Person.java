package org.crmsync.testing.contract;

import java.util.Optional;

/**
 * A person as the contract suite sees one on either side: the fields every CRM of the seeds has. A
 * {@link ContractCrm} turns it into its CRM's record and back.
 *
 * @param phone a mobile number in E.164
 * @param optedIn whether the person is subscribed (the CRM's opt-in field, list status, ...)
 */
public record Person(String firstName, String lastName, String email, String phone, boolean optedIn) {
    /** A US mobile number for person {@code n} (numbers libphonenumber knows as mobile). */
    public static String usMobile(int n) {
        return String.format("+1415%03d%04d", 200 + (n / 10_000) % 300, n % 10_000);
    }

    /** Person {@code n}, opted in, with a distinct email and mobile. */
    public static Person number(int n) {
        return new Person("First" + n, "Last" + n, "person" + n + "@example.org", usMobile(n), true);
    }

    public Person withOptIn(boolean value) {
        return new Person(firstName, lastName, email, phone, value);
    }

    public Person withFirstName(String value) {
        return new Person(value, lastName, email, phone, optedIn);
    }

    public Optional<String> emailKey() {
        return Optional.ofNullable(email).map(e -> e.trim().toLowerCase(java.util.Locale.ROOT));
    }

    /** Names no personal value: test failures print it. */
    @Override
    public String toString() {
        return "Person{" + firstName + " " + lastName + ", " + (optedIn ? "opted in" : "opted out") + "}";
    }
}
