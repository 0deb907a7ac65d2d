import Foundation
import Ports

extension ArgoSimulator {
    /// The offline demo: workflows in every phase (one large), CronWorkflows with run history in both schedule
    /// styles, and templates of both scopes.
    public func loadDemoData() throws {
        let now = Date()
        let demos: [WorkflowGenerator] = [
            WorkflowGenerator(
                name: "train-model-v3-8fj2d", namespace: "argo", nodeCount: 120, shape: .dag, failureRate: 0.03,
                seed: 2, startedAt: now - 5400),
            WorkflowGenerator(
                name: "ingest-events-q9z4m", namespace: "argo", nodeCount: 30, shape: .steps, runningRate: 0.2, seed: 3,
                startedAt: now - 300),
            WorkflowGenerator(
                name: "backfill-fanout-2k-p7w1c", namespace: "argo", nodeCount: 2000, shape: .dag, failureRate: 0.001,
                depth: 3, seed: 4, startedAt: now - 86400),
            WorkflowGenerator(
                name: "report-weekly-h3k8s", namespace: "data-team", nodeCount: 12, shape: .steps, seed: 5,
                startedAt: now - 3600 * 30),
        ]
        for demo in demos { add(generated: demo) }
        // A deployment that runs while you watch: two minutes from Pending to Succeeded at the default tick.
        addEvolving(
            generated: WorkflowGenerator(
                name: "deploy-canary-k2m9x", namespace: "argo", nodeCount: 30, seed: 7, startedAt: now), steps: 120)

        // Six nightly runs of the nightly-etl cron, one of them failed.
        let calendar = Calendar(identifier: .gregorian)
        let todayAt2 = calendar.date(bySettingHour: 2, minute: 0, second: 0, of: now) ?? now
        for day in 0..<6 {
            let scheduled = todayAt2.addingTimeInterval(Double(-86400 * day))
            var run = WorkflowGenerator(
                name: day == 0 ? "nightly-etl-7x2kq" : "nightly-etl-\(1_700_000_000 + day)", namespace: "argo",
                nodeCount: 40,
                failureRate: day == 2 ? 0.15 : 0, seed: UInt64(10 + day), startedAt: scheduled + 2)
            run.labels = [ArgoLabels.cronWorkflow: "nightly-etl", ArgoLabels.workflowTemplate: "etl-pipeline"]
            run.annotations = [ArgoLabels.scheduledTime: ArgoTime.format(scheduled)]
            add(generated: run)
        }
        // The archive remembers four older nightly runs (one failed) and a failed one-off import.
        for day in 6..<10 {
            let scheduled = todayAt2.addingTimeInterval(Double(-86400 * day))
            var run = WorkflowGenerator(
                name: "nightly-etl-\(1_700_000_000 + day)", namespace: "argo", nodeCount: 40,
                failureRate: day == 8 ? 0.2 : 0, seed: UInt64(20 + day), startedAt: scheduled + 2)
            run.labels = [ArgoLabels.cronWorkflow: "nightly-etl", ArgoLabels.workflowTemplate: "etl-pipeline"]
            run.annotations = [ArgoLabels.scheduledTime: ArgoTime.format(scheduled)]
            addArchived(generated: run)
        }
        addArchived(
            generated: WorkflowGenerator(
                name: "legacy-import-2f8xq", namespace: "argo", nodeCount: 25, shape: .steps, failureRate: 0.2,
                seed: 40,
                startedAt: now - 86400 * 20))
        for object in try Self.objects(inManifest: Self.demoManifests, source: "demo data") { try load(object) }
    }

    public static let demoManifests = """
        apiVersion: argoproj.io/v1alpha1
        kind: CronWorkflow
        metadata: {name: nightly-etl, namespace: argo, creationTimestamp: "2026-01-05T09:00:00Z"}
        spec:
          schedules: ["0 2 * * *"]
          timezone: UTC
          concurrencyPolicy: Forbid
          startingDeadlineSeconds: 600
          successfulJobsHistoryLimit: 7
          failedJobsHistoryLimit: 3
          workflowSpec:
            workflowTemplateRef: {name: etl-pipeline}
            arguments:
              parameters: [{name: target, value: warehouse}]
        status:
          lastScheduledTime: "2026-11-25T02:00:00Z"
          succeeded: 41
          failed: 3
        ---
        apiVersion: argoproj.io/v1alpha1
        kind: CronWorkflow
        metadata: {name: hourly-sync, namespace: argo, creationTimestamp: "2025-06-01T10:00:00Z"}
        spec:
          schedule: "15 * * * *"
          suspend: true
          workflowSpec:
            entrypoint: sync
            templates:
            - name: sync
              container: {image: "alpine:3.23", command: [sh, -c, "echo sync"]}
        status:
          lastScheduledTime: "2026-11-20T09:15:00Z"
          succeeded: 812
        ---
        apiVersion: argoproj.io/v1alpha1
        kind: CronWorkflow
        metadata: {name: report-weekly, namespace: data-team, creationTimestamp: "2026-03-02T08:00:00Z"}
        spec:
          schedules: ["0 6 * * MON", "30 6 1 * *"]
          timezone: Europe/Berlin
          workflowSpec:
            workflowTemplateRef: {name: report, clusterScope: true}
        status:
          lastScheduledTime: "2026-11-23T05:00:00Z"
          succeeded: 30
          failed: 1
          conditions:
          - type: SubmissionError
            status: "True"
            message: "Failed to submit Workflow: workflowtemplates.argoproj.io \\"report\\" not found"
        ---
        apiVersion: argoproj.io/v1alpha1
        kind: WorkflowTemplate
        metadata: {name: etl-pipeline, namespace: argo, creationTimestamp: "2026-01-05T08:55:00Z", labels: {team: data}}
        spec:
          entrypoint: main
          arguments:
            parameters:
            - {name: target, value: warehouse, enum: [warehouse, lake], description: "Where the load step writes"}
            - {name: batch-size, value: "500"}
          templates:
          - name: main
            dag:
              tasks:
              - {name: extract, template: extract}
              - {name: transform, template: transform, depends: extract}
              - {name: load, template: load, depends: transform}
          - name: extract
            container: {image: "ghcr.io/example/etl:2.4", command: [etl, extract]}
          - name: transform
            script: {image: "python:3.12", command: [python], source: "print('transform')"}
          - name: load
            container: {image: "ghcr.io/example/etl:2.4", command: [etl, load, "{{workflow.parameters.target}}"]}
        ---
        apiVersion: argoproj.io/v1alpha1
        kind: ClusterWorkflowTemplate
        metadata: {name: notify-slack, creationTimestamp: "2025-11-11T11:00:00Z"}
        spec:
          entrypoint: notify
          arguments:
            parameters: [{name: channel, value: "#data-alerts"}, {name: message}]
          templates:
          - name: notify
            http:
              url: https://hooks.slack.example/services/T000
              method: POST
              body: "{{workflow.parameters.message}}"
          - name: wait-approval
            suspend: {}
        """
}
