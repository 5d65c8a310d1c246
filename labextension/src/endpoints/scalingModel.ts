import { ISignal, Signal } from '@lumino/signaling';

import { messageOf } from '../messages';
import { IEndpointsClient } from './client';
import { IScalingPolicy, IScalingPolicyDescription } from './tokens';

/** A variant's policy: undefined while it is read, null when it has none. */
export type VariantScaling = IScalingPolicyDescription | null | undefined;

/**
 * The scaling policies of an endpoint's variants: read once a variant is
 * known (and again on `refresh`), put and removed through the server.
 */
export class ScalingModel {
  constructor(
    readonly endpoint: string,
    private _api: IEndpointsClient
  ) {}

  get changed(): ISignal<ScalingModel, void> {
    return this._changed;
  }

  policy(variant: string): VariantScaling {
    return this._policies.get(variant);
  }

  /** The error of reading a variant's policy, or null. */
  error(variant: string): string | null {
    return this._errors.get(variant) ?? null;
  }

  /** Read the policies of these variants that were never read. */
  ensure(variants: ReadonlyArray<string>): void {
    for (const v of variants) {
      if (!this._asked.has(v)) {
        void this.refresh(v);
      }
    }
  }

  /** Read a variant's policy now. */
  async refresh(variant: string): Promise<void> {
    this._asked.add(variant);
    const request = (this._requests.get(variant) ?? 0) + 1;
    this._requests.set(variant, request);
    try {
      const policy = await this._api.scalingPolicy(this.endpoint, variant);
      if (this._requests.get(variant) === request && !this._disposed) {
        this._policies.set(variant, policy);
        this._errors.delete(variant);
        this._changed.emit();
      }
    } catch (error) {
      if (this._requests.get(variant) === request && !this._disposed) {
        this._errors.set(variant, messageOf(error));
        this._changed.emit();
      }
    }
  }

  /** PUT the policy; rejects with the server's message. */
  async put(variant: string, policy: IScalingPolicy): Promise<void> {
    const answer = await this._api.putScalingPolicy(
      this.endpoint,
      variant,
      policy
    );
    this._bump(variant);
    this._policies.set(variant, answer ?? { ...policy });
    this._errors.delete(variant);
    this._changed.emit();
  }

  /** DELETE the policy; a policy already gone (404) is fine. */
  async remove(variant: string): Promise<void> {
    try {
      await this._api.deleteScalingPolicy(this.endpoint, variant);
    } catch (error) {
      const status = (error as { response?: { status?: number } })?.response
        ?.status;
      if (status !== 404) {
        throw error;
      }
    }
    this._bump(variant);
    this._policies.set(variant, null);
    this._changed.emit();
  }

  dispose(): void {
    this._disposed = true;
    Signal.clearData(this);
  }

  /** A read in flight from before a change must not win. */
  private _bump(variant: string): void {
    this._requests.set(variant, (this._requests.get(variant) ?? 0) + 1);
  }

  private _policies = new Map<string, IScalingPolicyDescription | null>();
  private _errors = new Map<string, string>();
  private _asked = new Set<string>();
  private _requests = new Map<string, number>();
  private _disposed = false;
  private _changed = new Signal<ScalingModel, void>(this);
}
