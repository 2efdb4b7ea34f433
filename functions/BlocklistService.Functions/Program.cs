var builder = WebApplication.CreateBuilder(args);
var app = builder.Build();
app.MapGet("/", () => Results.Ok());
app.MapGet("/api/health", () => Results.Ok(new { status = "healthy" }));
app.Run();

/// <summary>Entry point, visible to WebApplicationFactory.</summary>
public partial class Program;
