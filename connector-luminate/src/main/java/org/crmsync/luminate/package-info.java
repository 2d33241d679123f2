/**
 * The Blackbaud Luminate Online (Convio) connector: {@link org.crmsync.luminate.LuminateConnectorProvider},
 * its configuration ({@link org.crmsync.luminate.LuminateConfig}) and default field mapping
 * ({@link org.crmsync.luminate.LuminateMapping}).
 */
package org.crmsync.luminate;
