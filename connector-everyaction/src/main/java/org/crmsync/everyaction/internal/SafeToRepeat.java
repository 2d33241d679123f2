package org.crmsync.everyaction.internal;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a POST of {@link VanApi} that may be sent again after a 5xx or a lost connection without
 * harm (see {@code HttpClients.idempotent}): it only reads ({@code people/find}), VAN matches it to
 * the person a first attempt created ({@code people/findOrCreate} with an email, which is a match
 * candidate on its own), it sets the same values again ({@code people/{vanId}}), or it starts a
 * read-only export a second time ({@code changedEntityExportJobs}).
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
@interface SafeToRepeat {
}
