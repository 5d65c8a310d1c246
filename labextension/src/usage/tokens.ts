/** Shapes of the usage and idle rules API (`usage`, `idle-policy`). */

/** One instance type's metered use, as `GET atelier/api/usage` serves it. */
export interface IUsageEntry {
  instance_type: string;
  seconds: number;
  hours: number;
  price_per_hour: number;
  /** US dollars. */
  cost: number;
}

/** Body of `GET {baseUrl}atelier/api/usage?from=&to=`. */
export interface IUsageResponse {
  from: string;
  to: string;
  total_cost: number;
  usage: IUsageEntry[];
}

/** A type's idle rules (0 = off), as `atelier/api/idle-policy` serves them. */
export interface IIdlePolicy {
  instance_type: string;
  kernel_idle_minutes: number;
  instance_idle_minutes: number;
}

/** Body of `GET {baseUrl}atelier/api/idle-policy`. */
export interface IIdlePoliciesResponse {
  policies: IIdlePolicy[];
}
