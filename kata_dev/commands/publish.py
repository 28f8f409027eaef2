"""`kata dev publish OUT`: each student's feedback from OUT into their workspace on the class server."""

import sys


def register(sub):
    p = sub.add_parser(
        "publish", help="put each student's feedback (OUT/feedback/<student>.md, .html) into their workspace on the class server",
        description="Copy each student's feedback that kata dev grade wrote in OUT/feedback/ into that student's own "
                    "workspace on the class server of hub/ (feedback/ beside exercises/, where `kata` shows it), "
                    "through the Docker engine of the hub's machine: run it there. The students are the hub's "
                    "usernames, as hub/handins and hub/collect name their folders.")
    p.add_argument("out", help="the OUT folder of kata dev grade (it holds feedback/)")
    p.add_argument("--hub-name", help="the hub's HUB_NAME (default: the environment's, else hub/.env's, else cnn-kata-hub)")
    p.add_argument("--image", help="the students' image (default: HUB_STUDENT_IMAGE from the environment or hub/.env, "
                                   "else cnn-kata-lab:0.2.0)")
    p.add_argument("--only", nargs="+", metavar="STUDENT", help="publish only these students' feedback")
    p.set_defaults(func=run_publish)


def run_publish(args) -> int:
    from kata.paths import find_root
    from kata_dev import publish

    root = find_root()
    hub_name = args.hub_name or publish.hub_setting("HUB_NAME", "cnn-kata-hub", root)
    image = args.image or publish.hub_setting("HUB_STUDENT_IMAGE", "cnn-kata-lab:0.2.0", root)
    try:
        report = publish.publish(args.out, publish.DockerWorkspaces(hub_name, image), only=args.only)
    except publish.PublishError as error:
        print(f"kata dev publish: {error}", file=sys.stderr)
        return 2
    print(f"published the feedback of {len(report.published)} student(s) into their workspaces on {hub_name} "
          f"(feedback/ beside exercises/)")
    if report.without_feedback:
        print(f"no feedback for {len(report.without_feedback)} workspace(s) (nothing of theirs was graded): "
              f"{', '.join(report.without_feedback)}")
    problems = [f"{student}: no workspace named {hub_name}-work-… on this Docker engine (not a hub username, "
                f"or another HUB_NAME?)" for student in report.no_workspace]
    problems += [f"{student}: {why}" for student, why in sorted(report.failed.items())]
    if problems:
        print("not published:", *problems, sep="\n  ", file=sys.stderr)
        return 1
    return 0
