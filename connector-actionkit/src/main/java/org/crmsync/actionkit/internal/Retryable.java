package org.crmsync.actionkit.internal;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a POST or PATCH that ActionKit applies at most once however often it is sent, so it is retried
 * after a 5xx or a lost connection like a GET: a PATCH sets the same values again; a user create meets
 * the unique email and answers 409 with the {@code Location} of the user the first attempt made (cassette
 * rest_user_duplicate_email.yml); a phone create meets the one phone per (user, type, source)
 * (core_phone's unique_together, AK DB models).
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
@interface Retryable {
}
