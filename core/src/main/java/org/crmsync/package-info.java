/** crmsync: keeps subscriber profiles in an application in sync with CRMs. */
package org.crmsync;
