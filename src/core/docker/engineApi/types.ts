// The Docker Engine API's wire shapes: only the fields this project reads.

/** GET /version */
export interface EngineVersion {
  Version: string;
  ApiVersion: string;
  MinAPIVersion?: string;
  Os?: string;
  Arch?: string;
  KernelVersion?: string;
}

/** GET /info */
export interface EngineInfo {
  DockerRootDir: string;
  Containers: number;
  ContainersRunning: number;
  ContainersPaused: number;
  ContainersStopped: number;
  ServerVersion?: string;
  Driver?: string;
  CgroupDriver?: string;
  CgroupVersion?: string;
}

/** One entry of GET /containers/json */
export interface ContainerSummary {
  Id: string;
  Names: string[] | null;
  Image: string;
  Command: string;
  /** Unix time in seconds. */
  Created: number;
  State: string;
  /** Human text such as "Up 3 minutes (healthy)" or "Exited (0) 2 hours ago". */
  Status: string;
  Labels: Record<string, string> | null;
}

/** GET /containers/{id}/json */
export interface ContainerInspect {
  Id: string;
  Name: string;
  /** RFC 3339 with nanoseconds. */
  Created: string;
  Path: string;
  Args: string[] | null;
  State: {
    Status: string;
    Running: boolean;
    Paused: boolean;
    Restarting: boolean;
    Pid: number;
    ExitCode: number;
    StartedAt: string;
    FinishedAt: string;
    Health?: { Status: string } | null;
  } | null;
  RestartCount: number;
  HostnamePath: string;
  LogPath: string;
  GraphDriver: { Name: string; Data: Record<string, string> | null } | null;
  HostConfig: {
    NetworkMode: string;
    PidMode: string;
    Privileged: boolean;
    Memory: number;
    NanoCpus: number;
    CpuQuota: number;
    CpuPeriod: number;
    PidsLimit: number | null;
  } | null;
  Config: { Image: string; Labels: Record<string, string> | null } | null;
  NetworkSettings: {
    IPAddress?: string;
    Networks: Record<string, { IPAddress: string }> | null;
  } | null;
}

/** GET /containers/{id}/top: `ps` output with host PIDs. */
export interface ContainerTop {
  Titles: string[];
  Processes: string[][];
}

/** One object of the GET /events stream. */
export interface EngineEvent {
  Type: string;
  Action: string;
  Actor: { ID: string; Attributes: Record<string, string> | null };
  time: number;
  timeNano: number;
  /** Legacy duplicates of Action / Actor.ID / the image, still sent by daemons before API 1.44. */
  status?: string;
  id?: string;
  from?: string;
}
