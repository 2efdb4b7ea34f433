using System.CommandLine;

var root = new RootCommand("blocklist: submit, sync, export and audit BlocklistService lists");
return await root.Parse(args).InvokeAsync();
