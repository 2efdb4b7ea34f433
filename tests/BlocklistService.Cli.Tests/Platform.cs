// The CLI's tests check Unix file modes and run Unix daemons (unbound, named-checkzone): they run on Linux only.
[assembly: System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
