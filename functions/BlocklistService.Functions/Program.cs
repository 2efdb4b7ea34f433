using BlocklistService.Functions.Auth;
using BlocklistService.Functions.Hosting;

// One-time bootstrap of a fresh deployment: print a new admin key and the Bootstrap:AdminKey setting holding its hash.
if (args is ["new-admin-key"])
{
    var key = ApiKey.Generate();
    Console.WriteLine($"admin key (shown once, keep it secret): {key.Value}");
    Console.WriteLine($"app setting Bootstrap__AdminKey={Bootstrapper.AdminKeySetting(key)}");
    return;
}

var builder = WebApplication.CreateBuilder(args);
builder.UseCustomHandlerPort();
builder.AddStructuredLogging();
builder.Services.AddBlocklistService(builder.Configuration);

var app = builder.Build();
app.MapBlocklistService();
app.Run();

/// <summary>Entry point, visible to WebApplicationFactory.</summary>
public partial class Program;
