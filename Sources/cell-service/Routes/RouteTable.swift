/// Every endpoint this service answers; anything else is Docker's `page not found`.
enum RouteTable {
    static let all: [Route] = SystemRoutes.routes + ContainerRoutes.routes + ContainerCreateRoute.routes
        + ContainerWaitRoute.routes + ContainerLogsRoute.routes + ContainerArchiveRoute.routes + ContainerTopRoute.routes
        + ContainerChangesRoute.routes + ContainerExportRoute.routes + ContainerAttachRoute.routes + ExecRoutes.routes + ImageRoutes.routes
        + ImageTransferRoutes.routes + ImageArchiveRoutes.routes + BuildRoute.routes + EventsRoute.routes
        + NetworkRoutes.routes + VolumeRoutes.routes + ContainerStatsRoute.routes + SystemDiskUsageRoute.routes + ContainerCommitRoute.routes
        + ContainerRenameRoute.routes + ContainerUpdateRoute.routes
}
