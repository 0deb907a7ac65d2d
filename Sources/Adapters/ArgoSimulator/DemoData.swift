import ArtifactArchive
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
        for var demo in demos {
            // The running ingest holds the ingest semaphore (a ConfigMap limit of 1) and a mutex.
            if demo.name == "ingest-events-q9z4m" {
                demo.synchronization = .object([
                    "semaphore": .object([
                        "holding": .array([
                            .object([
                                "semaphore": "argo/ConfigMap/semaphore-config/ingest",
                                "holders": .array(["argo/ingest-events-q9z4m"]),
                            ])
                        ])
                    ]),
                    "mutex": .object([
                        "holding": .array([
                            .object(["mutex": "argo/Mutex/events-table", "holder": "argo/ingest-events-q9z4m"])
                        ])
                    ]),
                ])
            }
            add(generated: demo)
        }
        setConfigMap(namespace: "argo", name: "semaphore-config", data: ["ingest": "1", "reports": "3"])
        // A deployment that runs while you watch: two minutes from Pending to Succeeded at the default tick.
        addEvolving(
            generated: WorkflowGenerator(
                name: "deploy-canary-k2m9x", namespace: "argo", nodeCount: 30, seed: 7, startedAt: now), steps: 120)

        // nightly-etl runs etl-pipeline: extract, then transform, then load. Its runs carry that template's spec.
        let manifests = try Self.objects(inManifest: Self.demoManifests, source: "demo data")
        let etl = manifests.first { $0[path: "metadata.name"]?.string == "etl-pipeline" }
        func nightly(_ name: String, day: Int, failing: Bool, at scheduled: Date) -> WorkflowGenerator {
            var run = WorkflowGenerator(
                name: name, namespace: "argo", nodeCount: 4, seed: UInt64(10 + day), startedAt: scheduled + 2)
            // Durations vary a little from night to night, as real runs do.
            run.pipeline = [
                .init("extract", template: "extract", seconds: 110 + day * 7 % 20),
                .init(
                    "transform", template: "transform", after: ["extract"], seconds: 290 + day * 11 % 30, fails: failing
                ),
                .init("load", template: "load", after: ["transform"], seconds: 85 + day * 5 % 10),
            ]
            run.specTemplates = etl?[path: "spec.templates"]?.array
            run.specParameters = [("target", "warehouse"), ("batch-size", "500")]
            run.labels = [ArgoLabels.cronWorkflow: "nightly-etl", ArgoLabels.workflowTemplate: "etl-pipeline"]
            run.annotations = [ArgoLabels.scheduledTime: ArgoTime.format(scheduled)]
            return run
        }

        // Six nightly runs of the nightly-etl cron, one of them failed.
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC") ?? calendar.timeZone
        // The cron's newest run: today at 02:00 UTC, or yesterday's before 02:00 (never a run in the future).
        var todayAt2 = calendar.date(bySettingHour: 2, minute: 0, second: 0, of: now) ?? now
        // A run takes about nine minutes: until it would have finished, the newest is yesterday's.
        if todayAt2 + 900 > now { todayAt2 -= 86400 }
        for day in 0..<6 {
            let scheduled = todayAt2.addingTimeInterval(Double(-86400 * day))
            add(
                generated: nightly(
                    day == 0 ? "nightly-etl-7x2kq" : "nightly-etl-\(1_700_000_000 + day)", day: day, failing: day == 2,
                    at: scheduled))
        }
        // The archive remembers four older nightly runs (one failed) and a failed one-off import.
        for day in 6..<10 {
            let scheduled = todayAt2.addingTimeInterval(Double(-86400 * day))
            addArchived(
                generated: nightly("nightly-etl-\(1_700_000_000 + day)", day: day, failing: day == 8, at: scheduled))
        }
        addArchived(
            generated: WorkflowGenerator(
                name: "legacy-import-2f8xq", namespace: "argo", nodeCount: 25, shape: .steps, failureRate: 0.2,
                seed: 40,
                startedAt: now - 86400 * 20))
        for object in manifests { try load(object) }
        // nightly-etl agrees with its runs: scheduled last at today's run, created the day before its first of
        // the 44 runs its status counts (41 succeeded, 3 failed).
        if var cron = object(.cronWorkflow, namespace: "argo", name: "nightly-etl") {
            cron.set(["status", "lastScheduledTime"], .string(ArgoTime.format(todayAt2)))
            cron.set(["metadata", "creationTimestamp"], .string(ArgoTime.format(todayAt2 - 86400 * 44 + 3600 * 8)))
            storeObject(.cronWorkflow, cron, namespace: "argo", name: "nightly-etl")
        }
        try loadDemoArtifacts()
    }

    /// The stored bytes behind artifact-passing-x7k2p's artifacts, packed as Argo's executor packs them.
    func loadDemoArtifacts() throws {
        let prefix = "artifact-passing-x7k2p/artifact-passing-x7k2p-hello-world-to-file-2171183425/"
        putArtifact(
            key: prefix + "hello-art.tgz",
            data: try ArtifactArchive.gzip(Tar.archive([("hello_world.txt", Data("hello world\n".utf8))])))
        var csv = "date,region,orders,revenue\n"
        for day in 1...400 {
            csv +=
                "2026-\(String(format: "%02d", (day - 1) / 31 % 12 + 1))-\(String(format: "%02d", (day - 1) % 28 + 1)),"
            csv += ["eu-west", "us-east", "ap-south"][day % 3] + ",\(100 + day * 7 % 93),\(1000 + day * 37 % 911).50\n"
        }
        putArtifact(key: prefix + "report.csv", data: Data(csv.utf8))
        // A PNG signature and header: binary, refused as such.
        putArtifact(
            key: prefix + "chart.png",
            data: Data(
                [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 0x0D, 0x49, 0x48, 0x44, 0x52]
                    + [UInt8](repeating: 7, count: 2000)))
        putArtifact(key: prefix + "results/summary.txt", data: Data("rows: 400\nerrors: 0\n".utf8))
        putArtifact(key: prefix + "results/detail/part-0.txt", data: Data("part 0\n".utf8))
        let log = (1...30).map {
            "time=\"2026-11-25T07:00:\(String(format: "%02d", $0 % 60))Z\" level=info msg=\"step \($0)\""
        }
        putArtifact(key: prefix + "main.log", data: Data((log.joined(separator: "\n") + "\n").utf8))
        putArtifact(
            key: prefix + "metrics.json.gz",
            data: try ArtifactArchive.gzip(Data(#"{"rows": 400, "seconds": 18.2}"#.utf8 + [0x0A])))
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
        metadata: {name: hourly-sync, namespace: argo, creationTimestamp: "2026-10-17T13:30:00Z"}
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
        metadata: {name: report-weekly, namespace: data-team, creationTimestamp: "2026-06-01T08:00:00Z"}
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
        ---
        # The approval pattern of Argo's examples/intermediate-parameters.yaml (argoproj/argo-workflows, Apache-2.0),
        # caught while its approval step waits.
        apiVersion: argoproj.io/v1alpha1
        kind: Workflow
        metadata:
          name: release-approval-r4t8w
          namespace: argo
          uid: 5b2c1f0e-7a41-4c8e-9a51-2f6e0d3b9c11
          creationTimestamp: "2026-11-25T08:00:00Z"
          labels: {workflows.argoproj.io/phase: Running}
        spec:
          entrypoint: cicd-pipeline
          templates:
          - name: cicd-pipeline
            steps:
            - - {name: deploy-pre-prod, template: deploy}
            - - {name: approval, template: approval}
            - - name: deploy-prod
                template: deploy
                when: "{{steps.approval.outputs.parameters.approve}} == YES"
          - name: approval
            suspend: {}
            inputs:
              parameters:
              - name: approve
                default: "NO"
                enum: ["YES", "NO"]
                description: Choose YES to continue workflow and deploy to production
            outputs:
              parameters:
              - name: approve
                valueFrom: {supplied: {}}
          - name: deploy
            container: {image: "argoproj/argosay:v2", command: [/argosay], args: [echo, deploying]}
        status:
          phase: Running
          startedAt: "2026-11-25T08:00:00Z"
          progress: 1/2
          nodes:
            release-approval-r4t8w:
              {id: release-approval-r4t8w, name: release-approval-r4t8w, displayName: release-approval-r4t8w,
               type: Steps, templateName: cicd-pipeline, phase: Running, startedAt: "2026-11-25T08:00:00Z",
               children: [release-approval-r4t8w-2929285418]}
            release-approval-r4t8w-2929285418:
              {id: release-approval-r4t8w-2929285418, name: "release-approval-r4t8w[0]", displayName: "[0]",
               type: StepGroup, templateName: cicd-pipeline, phase: Succeeded, boundaryID: release-approval-r4t8w,
               startedAt: "2026-11-25T08:00:00Z", finishedAt: "2026-11-25T08:00:31Z",
               children: [release-approval-r4t8w-1520352530]}
            release-approval-r4t8w-1520352530:
              {id: release-approval-r4t8w-1520352530, name: "release-approval-r4t8w[0].deploy-pre-prod",
               displayName: deploy-pre-prod, type: Pod, templateName: deploy, phase: Succeeded,
               boundaryID: release-approval-r4t8w, startedAt: "2026-11-25T08:00:00Z",
               finishedAt: "2026-11-25T08:00:30Z", hostNodeName: worker-2, outputs: {exitCode: "0"},
               children: [release-approval-r4t8w-2559146373]}
            release-approval-r4t8w-2559146373:
              {id: release-approval-r4t8w-2559146373, name: "release-approval-r4t8w[1]", displayName: "[1]",
               type: StepGroup, templateName: cicd-pipeline, phase: Running, boundaryID: release-approval-r4t8w,
               startedAt: "2026-11-25T08:00:31Z", children: [release-approval-r4t8w-3457187611]}
            release-approval-r4t8w-3457187611:
              id: release-approval-r4t8w-3457187611
              name: "release-approval-r4t8w[1].approval"
              displayName: approval
              type: Suspend
              templateName: approval
              phase: Running
              boundaryID: release-approval-r4t8w
              startedAt: "2026-11-25T08:00:31Z"
              inputs:
                parameters:
                - name: approve
                  default: "NO"
                  value: "NO"
                  enum: ["YES", "NO"]
                  description: Choose YES to continue workflow and deploy to production
              outputs:
                parameters:
                - name: approve
                  valueFrom: {supplied: {}}
        ---
        # A run whose pod was deleted under it (a node drained): Argo marks the node Error with "pod deleted", and the
        # error rolls up through the step group to the workflow (workflow/controller/operator.go podReconciliation).
        apiVersion: argoproj.io/v1alpha1
        kind: Workflow
        metadata:
          name: cleanup-scratch-5vx8d
          namespace: data-team
          creationTimestamp: "2026-11-25T04:00:00Z"
          labels: {workflows.argoproj.io/phase: Error, workflows.argoproj.io/completed: "true"}
        spec:
          entrypoint: main
          templates:
          - name: main
            steps:
            - - {name: purge, template: purge}
          - name: purge
            container: {image: "alpine:3.23", command: [sh, -c, "rm -rf /scratch/tmp/*"]}
        status:
          phase: Error
          startedAt: "2026-11-25T04:00:00Z"
          finishedAt: "2026-11-25T04:03:12Z"
          progress: 1/1
          nodes:
            cleanup-scratch-5vx8d:
              {id: cleanup-scratch-5vx8d, name: cleanup-scratch-5vx8d, displayName: cleanup-scratch-5vx8d,
               type: Steps, templateName: main, phase: Error, startedAt: "2026-11-25T04:00:00Z",
               finishedAt: "2026-11-25T04:03:12Z", children: [cleanup-scratch-5vx8d-1107702470]}
            cleanup-scratch-5vx8d-1107702470:
              {id: cleanup-scratch-5vx8d-1107702470, name: "cleanup-scratch-5vx8d[0]", displayName: "[0]",
               type: StepGroup, templateName: main, phase: Error, boundaryID: cleanup-scratch-5vx8d,
               startedAt: "2026-11-25T04:00:00Z", finishedAt: "2026-11-25T04:03:12Z",
               children: [cleanup-scratch-5vx8d-1063440023]}
            cleanup-scratch-5vx8d-1063440023:
              {id: cleanup-scratch-5vx8d-1063440023, name: "cleanup-scratch-5vx8d[0].purge", displayName: purge,
               type: Pod, templateName: purge, phase: Error, boundaryID: cleanup-scratch-5vx8d,
               startedAt: "2026-11-25T04:00:00Z", finishedAt: "2026-11-25T04:03:11Z", hostNodeName: worker-4,
               message: pod deleted}
        ---
        # Argo's examples/artifact-passing.yaml (argoproj/argo-workflows, Apache-2.0) after a run, with a few more
        # outputs of the kinds artifacts come in: the default gzipped tar, a plain file, a binary, the archived log,
        # and a directory.
        apiVersion: argoproj.io/v1alpha1
        kind: Workflow
        metadata:
          name: artifact-passing-x7k2p
          namespace: argo
          uid: 9d0e6a57-3c1b-4f7d-8e2a-6b5c4d3e2f10
          creationTimestamp: "2026-11-25T07:00:00Z"
          labels: {workflows.argoproj.io/phase: Succeeded, workflows.argoproj.io/completed: "true"}
        spec:
          entrypoint: artifact-example
          templates:
          - name: artifact-example
            steps:
            - - {name: generate-artifact, template: hello-world-to-file}
            - - name: consume-artifact
                template: print-message-from-file
                arguments:
                  artifacts:
                  - {name: message, from: "{{steps.generate-artifact.outputs.artifacts.hello-art}}"}
          - name: hello-world-to-file
            container: {image: busybox, command: [sh, -c], args: ["sleep 1; echo hello world | tee /tmp/hello_world.txt"]}
            outputs:
              artifacts:
              - {name: hello-art, path: /tmp/hello_world.txt}
          - name: print-message-from-file
            inputs:
              artifacts:
              - {name: message, path: /tmp/message}
            container: {image: busybox, command: [sh, -c], args: ["cat /tmp/message"]}
        status:
          phase: Succeeded
          startedAt: "2026-11-25T07:00:00Z"
          finishedAt: "2026-11-25T07:00:41Z"
          progress: 2/2
          artifactRepositoryRef: {default: true, artifactRepository: {s3: {bucket: my-bucket, endpoint: minio:9000}}}
          nodes:
            artifact-passing-x7k2p:
              {id: artifact-passing-x7k2p, name: artifact-passing-x7k2p, displayName: artifact-passing-x7k2p,
               type: Steps, templateName: artifact-example, phase: Succeeded, startedAt: "2026-11-25T07:00:00Z",
               finishedAt: "2026-11-25T07:00:41Z", children: [artifact-passing-x7k2p-1763046493]}
            artifact-passing-x7k2p-1763046493:
              {id: artifact-passing-x7k2p-1763046493, name: "artifact-passing-x7k2p[0]", displayName: "[0]",
               type: StepGroup, templateName: artifact-example, phase: Succeeded, boundaryID: artifact-passing-x7k2p,
               startedAt: "2026-11-25T07:00:00Z", finishedAt: "2026-11-25T07:00:20Z",
               children: [artifact-passing-x7k2p-2171183425]}
            artifact-passing-x7k2p-2171183425:
              id: artifact-passing-x7k2p-2171183425
              name: "artifact-passing-x7k2p[0].generate-artifact"
              displayName: generate-artifact
              type: Pod
              templateName: hello-world-to-file
              phase: Succeeded
              boundaryID: artifact-passing-x7k2p
              startedAt: "2026-11-25T07:00:00Z"
              finishedAt: "2026-11-25T07:00:19Z"
              hostNodeName: worker-1
              children: [artifact-passing-x7k2p-950393392]
              outputs:
                exitCode: "0"
                artifacts:
                - name: hello-art
                  path: /tmp/hello_world.txt
                  s3: {key: artifact-passing-x7k2p/artifact-passing-x7k2p-hello-world-to-file-2171183425/hello-art.tgz}
                - name: report
                  path: /tmp/report.csv
                  archive: {none: {}}
                  s3: {key: artifact-passing-x7k2p/artifact-passing-x7k2p-hello-world-to-file-2171183425/report.csv}
                - name: chart
                  path: /tmp/chart.png
                  archive: {none: {}}
                  s3: {key: artifact-passing-x7k2p/artifact-passing-x7k2p-hello-world-to-file-2171183425/chart.png}
                - name: results
                  path: /tmp/results
                  archive: {none: {}}
                  s3: {key: artifact-passing-x7k2p/artifact-passing-x7k2p-hello-world-to-file-2171183425/results}
                - name: metrics
                  path: /tmp/metrics.json.gz
                  archive: {none: {}}
                  s3: {key: artifact-passing-x7k2p/artifact-passing-x7k2p-hello-world-to-file-2171183425/metrics.json.gz}
                - name: main-logs
                  s3: {key: artifact-passing-x7k2p/artifact-passing-x7k2p-hello-world-to-file-2171183425/main.log}
            artifact-passing-x7k2p-950393392:
              {id: artifact-passing-x7k2p-950393392, name: "artifact-passing-x7k2p[1]", displayName: "[1]",
               type: StepGroup, templateName: artifact-example, phase: Succeeded, boundaryID: artifact-passing-x7k2p,
               startedAt: "2026-11-25T07:00:20Z", finishedAt: "2026-11-25T07:00:41Z",
               children: [artifact-passing-x7k2p-1441546306]}
            artifact-passing-x7k2p-1441546306:
              id: artifact-passing-x7k2p-1441546306
              name: "artifact-passing-x7k2p[1].consume-artifact"
              displayName: consume-artifact
              type: Pod
              templateName: print-message-from-file
              phase: Succeeded
              boundaryID: artifact-passing-x7k2p
              startedAt: "2026-11-25T07:00:20Z"
              finishedAt: "2026-11-25T07:00:40Z"
              hostNodeName: worker-3
              inputs:
                artifacts:
                - name: message
                  path: /tmp/message
                  s3: {key: artifact-passing-x7k2p/artifact-passing-x7k2p-hello-world-to-file-2171183425/hello-art.tgz}
              outputs:
                exitCode: "0"
                artifacts:
                - name: old-output
                  path: /tmp/old
                  deleted: true
                  s3: {key: artifact-passing-x7k2p/artifact-passing-x7k2p-print-message-from-file-1441546306/old.tgz}
        """
}
