package org.crmsync.mapping;

import static java.util.Objects.requireNonNull;

import java.util.Optional;

/**
 * One row of a field mapping: a local field, its name in the CRM's API, its heading in the CRM's
 * export file, whether a record needs a value in it to be synced, when it is written to the CRM, what
 * a blank value does, and how the value is converted.
 */
public final class FieldRule {
    private final String localField;
    private final String apiName;
    private final String csvHeading;
    private final boolean required;
    private final WriteMode writeMode;
    private final BlankHandling blankHandling;
    private final ValueConverter converter;
    private final java.util.List<String> joinedFields;
    private final String joinSeparator;

    private FieldRule(Builder b) {
        this.localField = b.localField;
        this.apiName = b.apiName;
        this.csvHeading = b.csvHeading;
        this.required = b.required;
        this.writeMode = b.writeMode;
        this.blankHandling = b.blankHandling;
        this.converter = b.converter;
        this.joinedFields = java.util.List.copyOf(b.joinedFields);
        this.joinSeparator = b.joinSeparator;
    }

    /** A rule for {@code localField} (a standard field's default name or an extra field's name). */
    public static Builder builder(String localField) {
        return new Builder(localField);
    }

    public Builder toBuilder() {
        Builder b = new Builder(localField);
        b.apiName = apiName;
        b.csvHeading = csvHeading;
        b.required = required;
        b.writeMode = writeMode;
        b.blankHandling = blankHandling;
        b.converter = converter;
        b.joinedFields.addAll(joinedFields);
        b.joinSeparator = joinSeparator;
        return b;
    }

    public String localField() {
        return localField;
    }

    /** The field's name in the CRM's API; empty when the field only comes from export files. */
    public Optional<String> apiName() {
        return Optional.ofNullable(apiName);
    }

    /** The field's heading in the CRM's export file; empty when the field is not in the export. */
    public Optional<String> csvHeading() {
        return Optional.ofNullable(csvHeading);
    }

    /** A record without a value in this field is not synced (skipped and reported). */
    public boolean required() {
        return required;
    }

    public WriteMode writeMode() {
        return writeMode;
    }

    public BlankHandling blankHandling() {
        return blankHandling;
    }

    public ValueConverter converter() {
        return converter;
    }

    /**
     * Further local fields whose values are joined, after this rule's own local field, into the one
     * remote field (the ActiveCampaign seed's "street + two more address lines" as Home Address).
     * Reading the remote field back splits it on the separator into the same fields, in order.
     */
    public java.util.List<String> joinedFields() {
        return joinedFields;
    }

    /** The separator between joined values. */
    public String joinSeparator() {
        return joinSeparator;
    }

    @Override
    public String toString() {
        return "FieldRule{" + localField + " -> api=" + apiName + ", csv=" + csvHeading + ", required=" + required
                + ", write=" + writeMode + ", blank=" + blankHandling + "}";
    }

    /** Builds a {@link FieldRule}. The API name defaults to nothing; set at least one of API name or CSV heading. */
    public static final class Builder {
        private final String localField;
        private String apiName;
        private String csvHeading;
        private boolean required;
        private WriteMode writeMode = WriteMode.ALWAYS;
        private BlankHandling blankHandling = BlankHandling.SKIP;
        private ValueConverter converter = ValueConverter.IDENTITY;
        private final java.util.List<String> joinedFields = new java.util.ArrayList<>();
        private String joinSeparator = ", ";

        private Builder(String localField) {
            this.localField = requireNonNull(localField, "localField");
        }

        public Builder apiName(String value) {
            this.apiName = blankToNull(value);
            return this;
        }

        public Builder csvHeading(String value) {
            this.csvHeading = blankToNull(value);
            return this;
        }

        public Builder required(boolean value) {
            this.required = value;
            return this;
        }

        public Builder writeMode(WriteMode value) {
            this.writeMode = requireNonNull(value, "writeMode");
            return this;
        }

        public Builder blankHandling(BlankHandling value) {
            this.blankHandling = requireNonNull(value, "blankHandling");
            return this;
        }

        public Builder converter(ValueConverter value) {
            this.converter = requireNonNull(value, "converter");
            return this;
        }

        /**
         * Joins the non-blank values of this rule's local field and {@code moreLocalFields}, in
         * order, with {@code separator}, into the remote field when writing.
         */
        public Builder joinWith(String separator, String... moreLocalFields) {
            this.joinSeparator = requireNonNull(separator, "separator");
            joinedFields.clear();
            for (String f : moreLocalFields) {
                joinedFields.add(requireNonNull(f, "moreLocalFields[]"));
            }
            return this;
        }

        public FieldRule build() {
            if (localField.isBlank()) {
                throw new IllegalArgumentException("a field rule needs a local field name");
            }
            if (apiName == null && csvHeading == null) {
                throw new IllegalArgumentException("field rule for '" + localField
                        + "' has neither an API field name nor a CSV heading");
            }
            return new FieldRule(this);
        }

        private static String blankToNull(String value) {
            return value == null || value.isBlank() ? null : value.trim();
        }
    }
}
