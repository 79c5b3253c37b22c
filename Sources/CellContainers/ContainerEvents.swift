import CellCore
import CellEvents
import CellRuntime

/// The events container, image and volume operations record (`cell events`), with the
/// attributes Docker's daemon gives them: a container's image, name and labels.
public enum Events {
    public static func container(_ action: String, _ container: Container, _ extra: [String: String] = [:]) {
        record(action, id: container.id, record: container.record, root: EventJournal.root(ofContainerDirectory: container.directory), extra)
    }

    static func record(_ action: String, id: String, record: ContainerRecord, root: String, _ extra: [String: String] = [:]) {
        var attributes = record.config.labels
        attributes["image"] = record.image
        attributes["name"] = record.name
        attributes.merge(extra) { $1 }
        EventJournal.record(Event(type: "container", action: action, actorID: id, attributes: attributes), root: root)
    }

    public static func image(_ action: String, id: String, name: String? = nil, root: String) {
        EventJournal.record(Event(type: "image", action: action, actorID: id, attributes: name.map { ["name": $0] } ?? [:]), root: root)
    }

    public static func volume(_ action: String, name: String, root: String, _ extra: [String: String] = [:]) {
        var attributes = ["driver": "local"]
        attributes.merge(extra) { $1 }
        EventJournal.record(Event(type: "volume", action: action, actorID: name, attributes: attributes), root: root)
    }
}
