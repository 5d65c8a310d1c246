/**
 * Blue/green UpdateEndpoint as pure logic: the request's {@link
 * dev.atelier.endpoints.bluegreen.DeploymentPolicy} (checked field by field), the {@link
 * dev.atelier.endpoints.bluegreen.ShiftSchedule} that says which share of the traffic the new fleet
 * has at a given time since the first shift, and the built-in {@link
 * dev.atelier.endpoints.bluegreen.Alarm}s read on the new fleet's last minute of invocations (a
 * {@link dev.atelier.endpoints.router.FleetWindow} the router records into). {@code
 * dev.atelier.endpoints.BlueGreenUpdate} runs them on the update's virtual thread.
 */
package dev.atelier.endpoints.bluegreen;
