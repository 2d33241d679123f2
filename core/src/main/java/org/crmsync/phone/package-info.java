/** Phone number normalisation to E.164 with libphonenumber, and country names to ISO 3166 codes. */
package org.crmsync.phone;
