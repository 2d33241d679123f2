/**
 * The parts every CRM simulator shares, on WireMock: a server on loopback whose every request goes to
 * the simulator's own handler ({@link SimulatorServer}), request counts by kind of call
 * ({@link CallCounts}), faults scripted for the next calls of a kind ({@link ScriptedFaults}), and a
 * rate limit on the injected clock ({@link RateWindow}). A simulator keeps the CRM's state and
 * behaviour; these keep the plumbing the contract suite and the fault matrix drive.
 */
package org.crmsync.testing.sim;
