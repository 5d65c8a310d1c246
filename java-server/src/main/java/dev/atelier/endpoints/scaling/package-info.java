/**
 * Autoscaling of endpoint variants, as Application Auto Scaling's target tracking on {@code
 * SageMakerVariantInvocationsPerInstance}. A variant's {@link dev.atelier.endpoints.scaling.ScalingPolicy}
 * (MinCapacity, MaxCapacity, and TargetValue in invocations per instance per minute with
 * ScaleOutCooldown and ScaleInCooldown in seconds, 300 by default, checked field by field) is kept
 * by the {@link dev.atelier.endpoints.scaling.AutoscaleScheduler}, which every 15 to 60 seconds reads
 * the variant's last full minutes of invocations from the router's metrics and asks the pure {@link
 * dev.atelier.endpoints.scaling.Autoscaler} for the desired count: {@code ceil(invocations a minute /
 * TargetValue)} within the bounds, scaling out on the last minute once the scale-out cooldown is
 * over, scaling in only when all of the last 15 minutes asked for fewer instances and both
 * cooldowns are over (none with DisableScaleIn). A change goes to the endpoints service through
 * {@link dev.atelier.endpoints.scaling.Capacity#setInstanceCount} with its reason, and is kept as
 * the variant's LastScalingActivity.
 */
package dev.atelier.endpoints.scaling;
