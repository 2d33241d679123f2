package org.crmsync.everyaction.internal;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A person as {@code GET people/{vanId}?$expand=phones,emails,addresses} answers (parsons' recorded
 * {@code get_person_response}), with the connector's choice of the values a profile has one of: the
 * cell phone, the preferred email, the preferred address.
 */
public final class VanPerson {
    private final long vanId;
    private final Optional<String> firstName;
    private final Optional<String> lastName;
    private final List<VanPhone> phones;
    private final List<Email> emails;
    private final List<Map<String, String>> addresses;

    /** One email address: {@code email}, {@code isPreferred}, {@code isSubscribed}. */
    public record Email(String address, boolean preferred, Optional<Boolean> subscribed) {
    }

    private VanPerson(long vanId, Optional<String> firstName, Optional<String> lastName, List<VanPhone> phones,
            List<Email> emails, List<Map<String, String>> addresses) {
        this.vanId = vanId;
        this.firstName = firstName;
        this.lastName = lastName;
        this.phones = List.copyOf(phones);
        this.emails = List.copyOf(emails);
        this.addresses = List.copyOf(addresses);
    }

    /**
     * Reads a person body. Collections VAN did not expand are {@code null} (§7): they read as none.
     *
     * @throws IllegalArgumentException when the body has no numeric {@code vanId}
     */
    public static VanPerson parse(JsonNode body) {
        requireNonNull(body, "body");
        JsonNode id = body.path("vanId");
        if (!id.canConvertToLong()) {
            throw new IllegalArgumentException("the person has no numeric vanId");
        }
        List<VanPhone> phones = new ArrayList<>();
        for (JsonNode p : iterable(body.path("phones"))) {
            String number = text(p, "phoneNumber").orElse("");
            if (number.isBlank()) {
                continue;
            }
            phones.add(new VanPhone(p.path("phoneId").canConvertToLong() ? Optional.of(p.path("phoneId").asLong())
                    : Optional.empty(), number, text(p, "dialingPrefix"), text(p, "phoneType").flatMap(VanPhone::typeCode),
                    p.path("isPreferred").asBoolean(false), text(p, "smsOptInStatus"),
                    text(p.path("isCellStatus"), "statusName")));
        }
        List<Email> emails = new ArrayList<>();
        for (JsonNode e : iterable(body.path("emails"))) {
            text(e, "email").ifPresent(address -> emails.add(new Email(address, e.path("isPreferred").asBoolean(false),
                    e.path("isSubscribed").isBoolean() ? Optional.of(e.path("isSubscribed").asBoolean())
                            : Optional.empty())));
        }
        List<Map<String, String>> addresses = new ArrayList<>();
        for (JsonNode a : iterable(body.path("addresses"))) {
            Map<String, String> fields = new LinkedHashMap<>();
            for (String f : List.of("addressLine1", "addressLine2", "city", "stateOrProvince", "zipOrPostalCode",
                    "countryCode")) {
                text(a, f).ifPresent(v -> fields.put(f, v));
            }
            fields.put("isPreferred", Boolean.toString(a.path("isPreferred").asBoolean(false)));
            addresses.add(Collections.unmodifiableMap(fields));
        }
        return new VanPerson(id.asLong(), text(body, "firstName"), text(body, "lastName"), phones, emails, addresses);
    }

    public long vanId() {
        return vanId;
    }

    public Optional<String> firstName() {
        return firstName;
    }

    public Optional<String> lastName() {
        return lastName;
    }

    public List<VanPhone> phones() {
        return phones;
    }

    public List<Email> emails() {
        return emails;
    }

    /**
     * The person's cell phone: a phone typed Cell, the preferred one first; else one VAN's cell check
     * verified. Empty when the person has neither (the sync then skips them: no mobile number).
     */
    public Optional<VanPhone> cellPhone() {
        Optional<VanPhone> typed = phones.stream().filter(VanPhone::isCell).filter(VanPhone::preferred).findFirst()
                .or(() -> phones.stream().filter(VanPhone::isCell).findFirst());
        return typed.or(() -> phones.stream().filter(VanPhone::verifiedCell).findFirst());
    }

    /** The phone with this number (digits compared, country code aside), if the person has it. */
    public Optional<VanPhone> phone(String number) {
        String wanted = national(number);
        return phones.stream().filter(p -> national(p.international()).equals(wanted)).findFirst();
    }

    /** The preferred email, else the first. */
    public Optional<Email> email() {
        return emails.stream().filter(Email::preferred).findFirst().or(() -> emails.stream().findFirst());
    }

    /** The preferred address, else the first; its fields by VAN's names. */
    public Map<String, String> address() {
        return addresses.stream().filter(a -> "true".equals(a.get("isPreferred"))).findFirst()
                .or(() -> addresses.stream().findFirst()).orElse(Map.of());
    }

    /**
     * The person's values by the connector's API names (see {@code EveryActionMapping}): what the engine
     * maps to a profile. A value the person does not have is absent.
     */
    public Map<String, String> fields() {
        Map<String, String> f = new LinkedHashMap<>();
        f.put("vanId", Long.toString(vanId));
        firstName.ifPresent(v -> f.put("firstName", v));
        lastName.ifPresent(v -> f.put("lastName", v));
        email().ifPresent(e -> f.put("email", e.address()));
        cellPhone().ifPresent(p -> {
            f.put("cellPhone", p.international());
            p.smsOptIn().ifPresent(s -> f.put("smsOptInStatus", s));
        });
        address().forEach((k, v) -> {
            if (!k.equals("isPreferred")) {
                f.put(k, v);
            }
        });
        return f;
    }

    /** The ten digits of a North American number, or all digits of another. */
    static String national(String number) {
        String digits = number.replaceAll("[^0-9]", "");
        return digits.length() == 11 && digits.startsWith("1") ? digits.substring(1) : digits;
    }

    private static Iterable<JsonNode> iterable(JsonNode node) {
        return node != null && node.isArray() ? node : List.of();
    }

    private static Optional<String> text(JsonNode node, String field) {
        JsonNode v = node.path(field);
        return v.isValueNode() && !v.isNull() && !v.asText().isBlank() ? Optional.of(v.asText().trim()) : Optional.empty();
    }

    /** Names the VAN ID only: the rest is personal data. */
    @Override
    public String toString() {
        return "VanPerson{" + vanId + ", " + phones.size() + " phones}";
    }
}
